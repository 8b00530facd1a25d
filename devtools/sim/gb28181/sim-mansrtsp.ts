/** A playback control a device obeys (MANSRTSP in an INFO, facts sheet §4.4). */
export type SimRtspCommand = { kind: 'pause' } | { kind: 'play'; seekSeconds?: number; scale?: number };

/**
 * Reads a MANSRTSP body as wvp sends it: `PAUSE RTSP/1.0` + `CSeq` + `PauseTime: now`; `PLAY RTSP/1.0` + `CSeq`
 * with `Range: npt=now-` (resume), `Range: npt=<s>-` (seek to s seconds into the recording) or `Scale: 2.000000`
 * (speed). Anything else: undefined (the device answers 400).
 */
export function parseMansrtsp(body: string): SimRtspCommand | undefined {
  const lines = body.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const method = /^(PLAY|PAUSE) RTSP\/1\.0$/.exec(lines[0] ?? '')?.[1];
  if (!method || !lines.some((l) => /^CSeq:\s*\d+$/i.test(l))) return undefined;
  if (method === 'PAUSE') return { kind: 'pause' };
  const value = (name: string) => lines.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim();
  const range = value('Range');
  const scale = value('Scale');
  const command: SimRtspCommand = { kind: 'play' };
  if (range !== undefined) {
    const npt = /^npt=(now|\d+(?:\.\d+)?)-$/.exec(range)?.[1];
    if (!npt) return undefined;
    if (npt !== 'now') command.seekSeconds = Number(npt);
  }
  if (scale !== undefined) {
    const n = Number(scale);
    if (!(n > 0 && n <= 16)) return undefined;
    command.scale = n;
  }
  return command;
}
