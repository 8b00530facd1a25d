import { describe, expect, it } from 'vitest';
import { colourOfPixel, vehicleColourOf } from '../../analytics/detect/vehicle-colour.ts';
import type { RawImage } from '../../analytics/models/raw-image.ts';

/** A grey frame with a vehicle body of one colour, a dark windscreen above it and a blue plate on it. */
function frame(body: [number, number, number]): RawImage {
  const width = 320;
  const height = 240;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inVehicle = x >= 60 && x < 260 && y >= 40 && y < 220;
      const windscreen = inVehicle && y < 110;
      const plate = x >= 130 && x < 190 && y >= 170 && y < 190;
      const rgb: [number, number, number] = plate ? [20, 60, 200] : windscreen ? [15, 15, 20] : inVehicle ? body : [128, 128, 128];
      data.set(rgb, (y * width + x) * 3);
    }
  }
  return { data, width, height, channels: 3 };
}

const vehicle = { x1: 60, y1: 40, x2: 260, y2: 220 };
const plate = { x1: 130, y1: 170, x2: 190, y2: 190 };

describe('vehicle body colour', () => {
  it('names the body colour from the bonnet and doors, not the windscreen or the plate', () => {
    const cases: Array<[[number, number, number], string]> = [
      [[200, 30, 30], 'red'], [[235, 235, 235], 'white'], [[25, 25, 25], 'black'], [[150, 150, 155], 'grey'],
      [[30, 70, 190], 'blue'], [[230, 200, 40], 'yellow'], [[40, 150, 60], 'green'], [[110, 70, 30], 'brown'],
    ];
    for (const [rgb, expected] of cases) expect([rgb, vehicleColourOf(frame(rgb), vehicle, plate)]).toEqual([rgb, expected]);
  });

  it('leaves the plate out: a white car with a blue plate is white', () => {
    expect(vehicleColourOf(frame([240, 240, 240]), vehicle, plate)).toBe('white');
  });

  it('gives no colour for a box too small or outside the frame, or a grey-level frame', () => {
    expect(vehicleColourOf(frame([200, 30, 30]), { x1: 10, y1: 10, x2: 14, y2: 14 })).toBeUndefined();
    expect(vehicleColourOf(frame([200, 30, 30]), { x1: 400, y1: 300, x2: 600, y2: 500 })).toBeUndefined();
    expect(vehicleColourOf({ data: new Uint8Array(320 * 240), width: 320, height: 240, channels: 1 }, vehicle)).toBeUndefined();
  });

  it('classifies single pixels by HSV', () => {
    expect(colourOfPixel(255, 140, 0)).toBe('orange');
    expect(colourOfPixel(0, 200, 200)).toBe('cyan');
    expect(colourOfPixel(140, 40, 200)).toBe('purple');
    expect(colourOfPixel(240, 100, 180)).toBe('pink');
  });
});
