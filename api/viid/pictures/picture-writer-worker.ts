import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeBase64Picture, PictureRefusal } from './base64-picture.ts';
import { jpegSize } from './jpeg-size.ts';
import type { PictureBatchMessage, PictureJob, PictureReplyMessage, PictureResult } from './picture-messages.ts';

/**
 * Writer thread of received pictures: a whole request's pictures arrive in one message, are decoded from
 * base64, checked (size, JPEG header, pixel count) and written with plain synchronous calls (open, write,
 * close: no thread-pool hop, no promise per call) off the event loop; one reply per batch. Folders are made
 * once per day (0700), files 0600, as PRIVATE_DIR_MODE / PRIVATE_FILE_MODE say.
 */
const imagesDir = (workerData as { imagesDir: string }).imagesDir;
const port = parentPort!;
const readyDirs = new Set<string>();

function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  readyDirs.add(dir);
}

function writeOnce(full: string, bytes: Uint8Array): void {
  const fd = openSync(full, 'w', 0o600);
  try {
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
  } finally {
    closeSync(fd);
  }
}

function store(job: PictureJob, batch: PictureBatchMessage): PictureResult {
  let bytes: Uint8Array;
  try {
    if (job.bytes) bytes = job.bytes;
    else {
      const decoded = decodeBase64Picture(job.data ?? '', batch.maxImageBytes);
      const size = jpegSize(decoded);
      if (!size) return { status: 'notJpeg' };
      if (size.width === 0 || size.height === 0) return { status: 'refused', code: 'VIID_IMAGE_INVALID', message: 'the picture has no size' };
      if (size.width * size.height > batch.maxImagePixels) return { status: 'refused', code: 'VIID_IMAGE_TOO_LARGE', message: `the picture claims ${size.width} × ${size.height} pixels; at most ${batch.maxImagePixels}` };
      bytes = decoded;
    }
  } catch (error) {
    if (error instanceof PictureRefusal) return { status: 'refused', code: error.code, message: error.message };
    return { status: 'failed', message: (error as Error).message };
  }
  const full = join(imagesDir, job.rel);
  const dir = dirname(full);
  try {
    if (!readyDirs.has(dir)) ensureDir(dir);
    // Written in place: no reader asks for it before the pass row naming it is committed, after this.
    try {
      writeOnce(full, bytes);
    } catch (error) {
      // The day's folder went away meanwhile (retention): make it again once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      ensureDir(dir);
      writeOnce(full, bytes);
    }
    return { status: 'stored' };
  } catch (error) {
    return { status: 'failed', message: (error as Error).message };
  }
}

port.postMessage({ ready: true });
port.on('message', (batch: PictureBatchMessage) => {
  const reply: PictureReplyMessage = { id: batch.id, results: batch.jobs.map((job) => store(job, batch)) };
  port.postMessage(reply);
});
