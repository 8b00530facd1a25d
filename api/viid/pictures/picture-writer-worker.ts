import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { PictureBatchMessage, PictureCloseMessage, PictureJob, PictureReplyMessage, PictureResult } from './picture-messages.ts';
import { STATUS } from '../viid-status.ts';
import { checkPicture, parsePush } from './push-parsing.ts';
import { PictureVolumes } from './picture-volumes.ts';
import type { PushParseMessage, PushParseReply, PushReleaseMessage } from './push-messages.ts';

/**
 * Writer thread of received pictures: a whole request's pictures arrive in one message, are decoded from
 * base64, checked (size, JPEG header, pixel count) and appended to the thread's volume of the pass's day with
 * plain synchronous writes (no thread-pool hop, no promise per call) off the event loop; one reply per batch.
 * Folders are made once per day (0700), volumes 0600, as PRIVATE_DIR_MODE / PRIVATE_FILE_MODE say.
 * A POST /VIID/MotorVehicles body is parsed here too (`parsePush`): its good pictures stay held here until
 * the event loop names those of fresh, owned objects to write, then are released.
 */
const imagesDir = (workerData as { imagesDir: string }).imagesDir;
const port = parentPort!;
/** Pictures of parsed pushes, by parse id; dropped on release, or after HELD_MS should the release never come. */
const heldPushes = new Map<number, { pictures: Array<Buffer | undefined>; expiry: NodeJS.Timeout }>();
const HELD_MS = 5 * 60_000;

function drop(push: number): void {
  clearTimeout(heldPushes.get(push)?.expiry);
  heldPushes.delete(push);
}

const volumes = new PictureVolumes(imagesDir, (dir) => mkdirSync(dir, { recursive: true, mode: 0o700 }));
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function store(job: PictureJob, batch: PictureBatchMessage): PictureResult {
  let bytes: Uint8Array;
  try {
    if (job.held !== undefined) {
      const held = heldPushes.get(batch.push ?? -1)?.pictures[job.held];
      if (!held) return { status: 'failed', message: 'the picture is no longer held' };
      bytes = held;
    } else if (job.bytes) bytes = job.bytes;
    else {
      const { state, bytes: decoded } = checkPicture(job.data ?? '', batch);
      if (state.status === 'refused') return { status: 'refused', code: state.code, message: state.message };
      if (state.status === 'notJpeg') return { status: 'notJpeg' };
      bytes = decoded!;
    }
  } catch (error) {
    return { status: 'failed', message: (error as Error).message };
  }
  if (!DAY.test(job.day)) return { status: 'failed', message: `no such day: ${job.day.slice(0, 20)}` };
  try {
    // Appended in place: no reader asks for it before the pass row naming it is committed, after this.
    return { status: 'stored', rel: volumes.append(job.day, bytes) };
  } catch (error) {
    return { status: 'failed', message: (error as Error).message };
  }
}

port.postMessage({ ready: true });
function parse(message: PushParseMessage): void {
  let reply: PushParseReply;
  try {
    const { result, held } = parsePush(Buffer.concat(message.chunks, message.size), message.limits);
    if (result.status === 'parsed' && held.some((bytes) => bytes)) {
      heldPushes.set(message.id, { pictures: held, expiry: setTimeout(() => heldPushes.delete(message.id), HELD_MS).unref() });
    }
    reply = { id: message.id, parsed: result };
  } catch (error) {
    reply = { id: message.id, parsed: { status: 'refused', refusal: { code: 'INTERNAL', message: `the push could not be parsed; retry later (${(error as Error).name})`, status: 500, statusCode: STATUS.deviceError, objects: 0 } } };
  }
  port.postMessage(reply);
}

port.on('message', (message: PictureBatchMessage | PushParseMessage | PushReleaseMessage | PictureCloseMessage) => {
  if (message.kind === 'parse') parse(message);
  else if (message.kind === 'close') {
    volumes.closeAll();
    port.postMessage({ id: message.id, results: [] } satisfies PictureReplyMessage);
  }
  else if (message.kind === 'release') drop(message.push);
  else {
    volumes.nextBatch();
    const reply: PictureReplyMessage = { id: message.id, results: message.jobs.map((job) => store(job, message)) };
    if (message.push !== undefined) drop(message.push);
    port.postMessage(reply);
  }
});
