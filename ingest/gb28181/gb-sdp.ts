/** The SDP offer of a live INVITE (facts sheet §4.2): PS on PT 96, receive only, `y=` SSRC. */
export function liveOffer(o: { id: string; ip: string; port: number; ssrc: string; tcp?: boolean }): string {
  return [
    'v=0', `o=${o.id} 0 0 IN IP4 ${o.ip}`, 's=Play', `c=IN IP4 ${o.ip}`, 't=0 0',
    `m=video ${o.port} ${o.tcp ? 'TCP/' : ''}RTP/AVP 96 97 98`, 'a=recvonly', 'a=rtpmap:96 PS/90000', 'a=rtpmap:98 H264/90000', 'a=rtpmap:97 MPEG4/90000',
    // TCP passive: we listen, the device connects.
    ...(o.tcp ? ['a=setup:passive', 'a=connection:new'] : []),
    `y=${o.ssrc}`, '',
  ].join('\r\n');
}

/** What we read from a device's answer: the SSRC it will really send (y=), when it says one. */
export function answerSsrc(sdp: string): number | undefined {
  const y = /^y=(\d{1,10})\s*$/m.exec(sdp)?.[1];
  const n = y === undefined ? NaN : Number(y);
  return Number.isFinite(n) && n <= 0xffffffff ? n : undefined;
}
