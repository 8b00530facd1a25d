import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { badRequest, notFound } from '../api/kernel/errors/hub-error.ts';
import { HLS_PLAYLIST, HLS_SEGMENT_PATTERN } from '../ingest/ffmpeg/relay-args.ts';
import { assertStreamId } from './relay-pool.ts';

export type HlsFileKind = 'playlist' | 'segment';

/** Validates an HLS file name: the playlist or `seg_<n>.ts`, nothing else (no dots, slashes, NUL, backslashes). */
export function hlsFileKind(file: string): HlsFileKind {
  if (file === HLS_PLAYLIST) return 'playlist';
  if (HLS_SEGMENT_PATTERN.test(file)) return 'segment';
  throw badRequest('MEDIA_PATH_INVALID', 'media file names are index.m3u8 or seg_<number>.ts');
}

/**
 * Opens a file of a stream's HLS folder for reading, defensively even after the name checks: the resolved
 * path must stay inside the folder, and neither the folder nor the file may be a symlink (a planted link
 * must not expose other files). 404 when it does not exist (yet or any more).
 */
export async function openHlsFile(hlsRoot: string, streamId: string, file: string): Promise<{ handle: FileHandle; size: number; kind: HlsFileKind }> {
  assertStreamId(streamId, 'MEDIA_PATH_INVALID');
  const kind = hlsFileKind(file);
  const root = resolve(hlsRoot);
  const folder = resolve(root, streamId);
  const path = resolve(folder, file);
  if (!folder.startsWith(root + sep) || !path.startsWith(folder + sep)) throw badRequest('MEDIA_PATH_INVALID', 'media path leaves the stream folder');
  const missing = () => notFound('MEDIA_NOT_FOUND', `${file} is not available for this stream`);
  const folderInfo = await lstat(folder).catch(() => undefined);
  if (!folderInfo?.isDirectory()) throw missing();
  const info = await lstat(path).catch(() => undefined);
  if (!info || !info.isFile()) throw missing();
  // O_NOFOLLOW closes the window between lstat and open for a link swapped in meanwhile.
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) throw missing();
  const opened = await handle.stat();
  if (!opened.isFile()) {
    await handle.close();
    throw missing();
  }
  return { handle, size: opened.size, kind };
}

/** Playlist with each segment URI carrying the play token, so the player's segment fetches are checked too. */
export function signPlaylist(playlist: string, token: string): string {
  const query = `?token=${encodeURIComponent(token)}`;
  return playlist.split('\n').map((line) => (HLS_SEGMENT_PATTERN.test(line.trim()) ? `${line.trim()}${query}` : line)).join('\n');
}
