import { Type, type Static } from '@sinclair/typebox';

/** The GB/T 28181 SIP server devices and lower platforms register to, and the RTP ports live video arrives on. */
export const Gb28181ConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'run the GB/T 28181 SIP server' }),
    host: Type.String({ default: '0.0.0.0', description: 'address the SIP server and the RTP receivers bind' }),
    port: Type.Integer({ minimum: 0, maximum: 65_535, default: 5060, description: 'SIP port, UDP and TCP (0 = any free port)' }),
    mediaIp: Type.String({ default: '', description: 'the IP devices must send RTP to (SDP c=) and the SIP Via/Contact host; empty = the host, or 127.0.0.1 when the host is 0.0.0.0' }),
    serverId: Type.String({ pattern: '^\\d{20}$', default: '34020000002000000001', description: 'our 20-digit SIP server ID (type 200)' }),
    domain: Type.String({ pattern: '^\\d{10}$', default: '3402000000', description: 'SIP domain = the first 10 digits of the server ID; also the digest realm' }),
    password: Type.String({ default: '', maxLength: 128, description: 'platform-wide REGISTER password, used for devices without their own' }),
    strict: Type.Boolean({ default: true, description: 'refuse REGISTER from device IDs an admin has not added' }),
    registerExpiresMaxSeconds: Type.Integer({ minimum: 60, maximum: 86_400, default: 3_600 }),
    keepaliveIntervalSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 60, description: 'expected keepalive period of devices' }),
    keepaliveMisses: Type.Integer({ minimum: 1, maximum: 20, default: 3, description: 'a device is offline after this many missed keepalives' }),
    tcpIdleSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 120, description: 'a SIP-over-TCP connection that sends nothing for this long (a stalled or half-sent message included) is closed' }),
    rtpPortMin: Type.Integer({ minimum: 1_024, maximum: 65_535, default: 30_000, description: 'first UDP port for live video (one port per stream)' }),
    rtpPortMax: Type.Integer({ minimum: 1_024, maximum: 65_535, default: 30_999 }),
    rtpTimeoutSeconds: Type.Integer({ minimum: 2, maximum: 300, default: 10, description: 'no RTP for this long: BYE and INVITE again with backoff' }),
    inviteTimeoutSeconds: Type.Integer({ minimum: 2, maximum: 120, default: 10, description: 'how long a device has to answer an INVITE' }),
    checkSsrc: Type.Boolean({ default: true, description: 'drop RTP whose SSRC is not the one agreed in the SDP' }),
    catalogSubscribeSeconds: Type.Integer({ minimum: 0, maximum: 86_400, default: 3_600, description: 'catalogue SUBSCRIBE period (renewed before it ends); 0 = do not subscribe' }),
    upper: Type.Object({
      enabled: Type.Boolean({ default: false, description: 'register to an upper platform (cascade) and answer its catalogue query with the cameras shared upward' }),
      serverId: Type.String({ pattern: '^(\\d{20})?$', default: '', description: "the upper platform's 20-digit SIP ID" }),
      domain: Type.String({ pattern: '^(\\d{10})?$', default: '', description: "the upper platform's SIP domain" }),
      host: Type.String({ default: '', description: "the upper platform's SIP address" }),
      port: Type.Integer({ minimum: 1, maximum: 65_535, default: 5060 }),
      transport: Type.Union([Type.Literal('udp'), Type.Literal('tcp')], { default: 'udp', description: 'SIP to the upper platform over UDP or TCP (we open the connection; its requests come back on it)' }),
      localId: Type.String({ pattern: '^(\\d{20})?$', default: '', description: 'the ID we register with (usually our serverId, type 200)' }),
      username: Type.String({ default: '', maxLength: 64, description: 'digest username, when the upper wants one other than localId' }),
      password: Type.String({ default: '', maxLength: 128 }),
      expires: Type.Integer({ minimum: 60, maximum: 86_400, default: 3_600 }),
      keepaliveSeconds: Type.Integer({ minimum: 1, maximum: 3_600, default: 60 }),
    }, { additionalProperties: false, default: {} }),
    catalogPartTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 120, default: 5, description: 'a catalogue with missing parts is taken as it is after this long without a part' }),
    catalogAnswerTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 10, description: 'a catalogue query with no answer after this long is sent again (with backoff, at most 6 times per registration)' }),
  },
  { additionalProperties: false, default: {} },
);

export type Gb28181Config = Static<typeof Gb28181ConfigSchema>;
