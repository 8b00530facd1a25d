import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';

/**
 * Everything the hub keeps under dataDir (password hashes and sealed credentials in the database, the
 * audit trail, pass images, HLS segments, the private Redis) is for the hub's own user only: folders
 * 0700, files 0600, set explicitly at creation rather than trusting the umask of whoever starts the hub.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates the folder (and missing parents) 0700, and tightens it if an older hub left it 0755.
 * Returns false when an existing folder could not be tightened (not ours): the caller warns.
 */
export function ensurePrivateDirSync(path: string): boolean {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    chmodSync(path, PRIVATE_DIR_MODE);
    return true;
  } catch {
    return false;
  }
}

/** Async twin of ensurePrivateDirSync for request paths (images, HLS folders). */
export async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(path, PRIVATE_DIR_MODE).catch(() => {});
}

/**
 * SQLite creates its -wal and -shm files with the database file's mode, so the file is created 0600
 * before SQLite opens it; files an older hub left 0644 are tightened after opening.
 */
export function createPrivateFileSync(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}

export function tightenSqliteFiles(file: string): void {
  for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      chmodSync(path, PRIVATE_FILE_MODE);
    } catch {
      // absent (no WAL yet) or not ours: nothing to tighten
    }
  }
}
