import type { RecordedSegment } from '../../recording/recording-index.ts';

/** Name of a recording segment in a VOD playlist: its index id and the container's extension. */
export function segmentFileName(segment: Pick<RecordedSegment, 'id' | 'format'>): string {
  return `${segment.id}${segment.format === 'fmp4' ? '.mp4' : '.ts'}`;
}

/** Parses a VOD segment file name back to the segment id; undefined for anything else. */
export function segmentIdOf(file: string): string | undefined {
  const match = /^([A-Za-z0-9_-]{1,64})\.(ts|mp4)$/.exec(file);
  return match?.[1];
}

/**
 * An HLS VOD playlist over recorded segments, oldest first. Each segment carries its wall-clock start as
 * EXT-X-PROGRAM-DATE-TIME (the player maps media time to wall time with it) and follows a discontinuity:
 * segments come from separate pulls or files whose timestamps need not continue, and a gap in the recording
 * must not be played as a jump. `query` (the signed token) is appended to every segment URI.
 */
export function vodPlaylist(segments: RecordedSegment[], query: string): string {
  const seconds = (ms: number) => Math.max(0.001, ms / 1_000);
  const target = Math.max(1, Math.ceil(Math.max(0, ...segments.map((s) => seconds(segmentLength(s))))));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-INDEPENDENT-SEGMENTS'];
  segments.forEach((segment, i) => {
    if (i > 0) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.startedAt).toISOString()}`);
    lines.push(`#EXTINF:${seconds(segmentLength(segment)).toFixed(3)},`);
    lines.push(`${segmentFileName(segment)}${query}`);
  });
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}

function segmentLength(segment: RecordedSegment): number {
  return segment.durationMs > 0 ? segment.durationMs : segment.endedAt - segment.startedAt;
}
