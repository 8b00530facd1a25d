import type { RawImage } from '../models/raw-image.ts';
import type { Box } from './nms.ts';

/** Body colours a pass may carry (the words of the GA/T 1400 colour table the hub codes them into). */
export type VehicleColour = 'black' | 'white' | 'grey' | 'red' | 'orange' | 'brown' | 'yellow' | 'green' | 'cyan' | 'blue' | 'purple' | 'pink';

const GRID = 24;

/** One pixel's colour word from HSV: dark → black, unsaturated → white/grey, else by hue (brown = dark orange). */
export function colourOfPixel(r: number, g: number, b: number): VehicleColour {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const v = max / 255;
  const s = max === 0 ? 0 : (max - min) / max;
  if (v < 0.22) return 'black';
  if (s < 0.18) return v > 0.72 ? 'white' : 'grey';
  const d = max - min;
  let h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  h = (h * 60 + 360) % 360;
  if (h < 15 || h >= 345) return 'red';
  if (h < 40) return v < 0.55 ? 'brown' : 'orange';
  if (h < 70) return 'yellow';
  if (h < 165) return 'green';
  if (h < 195) return 'cyan';
  if (h < 260) return 'blue';
  if (h < 300) return 'purple';
  return 'pink';
}

/**
 * The body colour of a detected vehicle: a vote of colour words over a grid of samples from the middle of
 * its box (the bonnet and doors, below the windscreen), leaving out the plate. Undefined when too few
 * samples fall inside the frame or no colour wins at least a quarter of them. Cheap enough to run on every
 * improved pass (GRID² samples).
 */
export function vehicleColourOf(frame: RawImage, vehicle: Box, plate?: Box): VehicleColour | undefined {
  if (frame.channels < 3) return undefined;
  const w = vehicle.x2 - vehicle.x1;
  const h = vehicle.y2 - vehicle.y1;
  if (w < 8 || h < 8) return undefined;
  const votes = new Map<VehicleColour, number>();
  let samples = 0;
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j < GRID; j++) {
      const x = Math.floor(vehicle.x1 + w * (0.15 + (0.7 * (i + 0.5)) / GRID));
      const y = Math.floor(vehicle.y1 + h * (0.45 + (0.4 * (j + 0.5)) / GRID));
      if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) continue;
      if (plate && x >= plate.x1 && x <= plate.x2 && y >= plate.y1 && y <= plate.y2) continue;
      const at = (y * frame.width + x) * frame.channels;
      const colour = colourOfPixel(frame.data[at]!, frame.data[at + 1]!, frame.data[at + 2]!);
      votes.set(colour, (votes.get(colour) ?? 0) + 1);
      samples++;
    }
  }
  if (samples < (GRID * GRID) / 4) return undefined;
  const [best, count] = [...votes].sort((a, b) => b[1] - a[1])[0]!;
  return count >= samples / 4 ? best : undefined;
}
