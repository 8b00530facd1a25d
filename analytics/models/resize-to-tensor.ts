import type { RawImage } from './raw-image.ts';

/** Where and how pixels land in an NCHW float tensor: value = pixel * scale + offset. */
export interface TensorTarget {
  tensor: Float32Array;
  /** Plane size of the tensor (the model input), not of the resized image. */
  tensorWidth: number;
  tensorHeight: number;
  /** Rectangle the image is resized into; the rest keeps the padding. */
  left: number;
  top: number;
  width: number;
  height: number;
  channelOrder: 'rgb' | 'bgr';
  scale: number;
  offset: number;
  /** Padding as a raw pixel value (114 for YOLOX, 0 for the plate detector), normalised like pixels. */
  padPixel: number;
  /** Offset of the first plane (batch index × 3 planes). */
  batchOffset?: number;
  /** Part of the image to read (a crop without copying); default the whole image. */
  source?: SourceRect;
}

export interface SourceRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

// Lookup tables reused across calls: no per-frame allocation once they have grown to the largest width.
let xIndex0 = new Int32Array(0);
let xIndex1 = new Int32Array(0);
let xWeight = new Float32Array(0);
let yIndex0 = new Int32Array(0);
let yIndex1 = new Int32Array(0);
let yWeight = new Float64Array(0);

/**
 * The source samples of each destination index along one axis, placed as OpenCV's INTER_LINEAR places
 * them: the offsets (times `stride`) of the two neighbours and the weight of the second, clamped at the edges.
 */
function axisSamples(
  length: number, srcStart: number, srcLength: number, stride: number,
  index0: Int32Array, index1: Int32Array, weight: Float32Array | Float64Array,
): void {
  const scale = srcLength / length;
  for (let d = 0; d < length; d++) {
    let f = (d + 0.5) * scale - 0.5;
    let s = Math.floor(f);
    f -= s;
    if (s < 0) { s = 0; f = 0; }
    if (s >= srcLength - 1) { s = srcLength - 1; f = 0; }
    index0[d] = (srcStart + s) * stride;
    index1[d] = (srcStart + Math.min(s + 1, srcLength - 1)) * stride;
    weight[d] = f;
  }
}

/**
 * Bilinear resize straight into the tensor planes, in one pass, with the same sample positions as
 * OpenCV's INTER_LINEAR (the models were trained on cv2.resize output). Handles grey, RGB and RGBA.
 */
export function resizeToTensor(image: RawImage, target: TensorTarget): void {
  const { tensor, tensorWidth, tensorHeight, left, top, width, height } = target;
  const plane = tensorWidth * tensorHeight;
  const base = target.batchOffset ?? 0;
  const padValue = target.padPixel * target.scale + target.offset;
  const covers = left === 0 && top === 0 && width === tensorWidth && height === tensorHeight;
  if (!covers) tensor.fill(padValue, base, base + 3 * plane);
  if (width <= 0 || height <= 0) return;

  const { data, channels } = image;
  const srcX = target.source?.x ?? 0;
  const srcY = target.source?.y ?? 0;
  const srcW = target.source?.width ?? image.width;
  const srcH = target.source?.height ?? image.height;
  if (xIndex0.length < width) {
    xIndex0 = new Int32Array(width);
    xIndex1 = new Int32Array(width);
    xWeight = new Float32Array(width);
  }
  if (yIndex0.length < height) {
    yIndex0 = new Int32Array(height);
    yIndex1 = new Int32Array(height);
    yWeight = new Float64Array(height);
  }
  axisSamples(width, srcX, srcW, channels, xIndex0, xIndex1, xWeight);
  axisSamples(height, srcY, srcH, image.width * channels, yIndex0, yIndex1, yWeight);
  const grey = channels === 1;
  const bgr = target.channelOrder === 'bgr';
  // Plane offsets for the R, G and B source channels.
  const planeR = base + (bgr ? 2 : 0) * plane;
  const planeG = base + plane;
  const planeB = base + (bgr ? 0 : 2) * plane;
  const { scale, offset } = target;
  for (let dy = 0; dy < height; dy++) {
    const row0 = yIndex0[dy];
    const row1 = yIndex1[dy];
    const fy = yWeight[dy];
    const out = (top + dy) * tensorWidth + left;
    for (let dx = 0; dx < width; dx++) {
      const a = row0 + xIndex0[dx];
      const b = row0 + xIndex1[dx];
      const c = row1 + xIndex0[dx];
      const d = row1 + xIndex1[dx];
      const wx = xWeight[dx];
      const w00 = (1 - wx) * (1 - fy), w01 = wx * (1 - fy), w10 = (1 - wx) * fy, w11 = wx * fy;
      const r = data[a] * w00 + data[b] * w01 + data[c] * w10 + data[d] * w11;
      if (grey) {
        const v = r * scale + offset;
        tensor[planeR + out + dx] = v;
        tensor[planeG + out + dx] = v;
        tensor[planeB + out + dx] = v;
        continue;
      }
      const g = data[a + 1] * w00 + data[b + 1] * w01 + data[c + 1] * w10 + data[d + 1] * w11;
      const bl = data[a + 2] * w00 + data[b + 2] * w01 + data[c + 2] * w10 + data[d + 2] * w11;
      tensor[planeR + out + dx] = r * scale + offset;
      tensor[planeG + out + dx] = g * scale + offset;
      tensor[planeB + out + dx] = bl * scale + offset;
    }
  }
}
