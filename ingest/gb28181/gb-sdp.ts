/**
 * The SDP offer of an INVITE (facts sheet §4.2): PS on PT 96, receive only, `y=` SSRC. Live is `s=Play`,
 * `t=0 0`; a recording on the device is `s=Playback`, `u=<channel>:0` and `t=<start> <end>` in Unix seconds.
 */
export function liveOffer(o: { id: string; ip: string; port: number; ssrc: string; tcp?: 'passive' | 'active'; playback?: { channelId: string; start: number; end: number } }): string {
  const range = o.playback ? `${Math.floor(o.playback.start / 1_000)} ${Math.ceil(o.playback.end / 1_000)}` : '0 0';
  return [
    'v=0', `o=${o.id} 0 0 IN IP4 ${o.ip}`, o.playback ? 's=Playback' : 's=Play', ...(o.playback ? [`u=${o.playback.channelId}:0`] : []), `c=IN IP4 ${o.ip}`, `t=${range}`,
    `m=video ${o.port} ${o.tcp ? 'TCP/' : ''}RTP/AVP 96 97 98`, 'a=recvonly', 'a=rtpmap:96 PS/90000', 'a=rtpmap:98 H264/90000', 'a=rtpmap:97 MPEG4/90000',
    // TCP passive: we listen, the device connects. TCP active: the device listens (port in its answer), we connect.
    ...(o.tcp ? [`a=setup:${o.tcp}`, 'a=connection:new'] : []),
    `y=${o.ssrc}`, '',
  ].join('\r\n');
}

/** Where a device that answered `a=setup:passive` listens for our TCP media connection (c= and m= of its answer). */
export function answerMediaAddress(sdp: string): { host: string; port: number } | undefined {
  const host = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1];
  const port = Number(/^m=video (\d{1,5}) /m.exec(sdp)?.[1]);
  return host && port > 0 && port < 65_536 ? { host, port } : undefined;
}

/** What we read from a device's answer: the SSRC it will really send (y=), when it says one. */
export function answerSsrc(sdp: string): number | undefined {
  const y = /^y=(\d{1,10})\s*$/m.exec(sdp)?.[1];
  const n = y === undefined ? NaN : Number(y);
  return Number.isFinite(n) && n <= 0xffffffff ? n : undefined;
}
