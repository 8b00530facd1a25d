/**
 * One picture to store: inline base64 (decoded and checked in the writer thread), bytes already checked, or
 * a picture the thread holds already from the push it parsed (`held`: its index there, checked).
 */
export interface PictureJob {
  /** The UTC day of the pass (`YYYY-MM-DD`): the folder of the volume the picture is appended to. */
  day: string;
  data?: string;
  bytes?: Uint8Array;
  held?: number;
}

export interface PictureBatchMessage {
  kind: 'store';
  id: number;
  jobs: PictureJob[];
  /** The parsed push (its parse message's id) whose held pictures the jobs name; dropped once they are written. */
  push?: number;
  maxImageBytes: number;
  maxImagePixels: number;
}

/** stored: written (`rel`: its stored path, a volume's byte range); notJpeg: decoded fine but not a JPEG (the caller converts it); refused: the data's fault. */
export type PictureResult =
  | { status: 'stored'; rel: string }
  | { status: 'notJpeg' }
  | { status: 'refused'; code: 'VIID_IMAGE_TOO_LARGE' | 'VIID_IMAGE_INVALID'; message: string }
  | { status: 'failed'; message: string };

export interface PictureReplyMessage {
  id: number;
  results: PictureResult[];
}

/** Closes the thread's volumes before it is terminated; answered with an empty reply. */
export interface PictureCloseMessage {
  kind: 'close';
  id: number;
}
