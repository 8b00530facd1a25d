import type { ReceivedVehicle } from '../objects/motor-vehicle-input.ts';

/** The /VIID limits a writer thread applies to a push body it parses. */
export interface PushLimits {
  maxObjects: number;
  maxImageBytes: number;
  maxImagePixels: number;
}

/** A refusal crossing the thread boundary: the fields of a ViidError (objects = how many it refuses). */
export interface WireRefusal {
  code: string;
  message: string;
  status: number;
  statusCode: number;
  objects: number;
}

/** One object of a push: reduced to a vehicle (its inline pictures named by index) or refused. */
export type ParsedObject = { id: string; vehicle: ReceivedVehicle } | { id: string; error: WireRefusal };

/** An inline picture after decoding: held in the thread (a good JPEG), its bytes back (another format), or refused. */
export type HeldPictureState =
  | { status: 'held' }
  | { status: 'notJpeg'; bytes: Uint8Array }
  | { status: 'refused'; code: 'VIID_IMAGE_TOO_LARGE' | 'VIID_IMAGE_INVALID'; message: string };

export type PushParseResult =
  | { status: 'refused'; refusal: WireRefusal }
  | { status: 'parsed'; objects: ParsedObject[]; pictures: HeldPictureState[] };

/** To the thread: parse a push body (its chunks transferred, not copied); the reply carries the same id. */
export interface PushParseMessage {
  kind: 'parse';
  id: number;
  chunks: Uint8Array[];
  size: number;
  limits: PushLimits;
}

/** To the thread: forget a parsed push's held pictures (written or not). */
export interface PushReleaseMessage {
  kind: 'release';
  push: number;
}

export interface PushParseReply {
  id: number;
  parsed: PushParseResult;
}
