/** One finished segment the relay's playlist lists. */
export interface PlaylistEntry {
  /** Media sequence number (seg_<n>.ts). */
  sequence: number;
  name: string;
  durationMs: number;
  /** Wall clock of the segment's first frame (EXT-X-PROGRAM-DATE-TIME), or undefined when the playlist has none. */
  programDateTime: number | undefined;
}

/**
 * Reads the relay's live playlist (`<dataDir>/hls/<cameraId>/index.m3u8`): ffmpeg lists a segment only
 * once it is complete (temp_file), each with its duration and program date time.
 */
export function parsePlaylist(text: string): PlaylistEntry[] {
  const entries: PlaylistEntry[] = [];
  let sequence: number | undefined;
  let durationMs: number | undefined;
  let pdt: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) sequence = Number(line.slice(22));
    else if (line.startsWith('#EXTINF:')) durationMs = Math.round(Number.parseFloat(line.slice(8)) * 1_000);
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
      const at = Date.parse(line.slice(25).replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
      pdt = Number.isFinite(at) ? at : undefined;
    } else if (line.startsWith('#EXT-X-DISCONTINUITY')) {
      continue;
    } else if (line && !line.startsWith('#')) {
      const match = /^seg_(\d{1,12})\.ts$/.exec(line);
      if (match && durationMs !== undefined && Number.isFinite(durationMs)) {
        entries.push({ sequence: Number(match[1]), name: line, durationMs, programDateTime: pdt });
      }
      sequence = sequence === undefined ? undefined : sequence + 1;
      durationMs = undefined;
      pdt = undefined;
    }
  }
  return entries;
}
