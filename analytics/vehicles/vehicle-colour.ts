import type { Box } from '../detect/nms.ts';
import type { RawImage } from '../models/raw-image.ts';

/** Vehicle colours the hub reports: the GA/T 1400 colour table's words (see api/viid code tables). */
export type VehicleColour = 'black' | 'white' | 'grey' | 'red' | 'blue' | 'yellow' | 'orange' | 'brown' | 'green' | 'purple' | 'cyan' | 'pink';

export interface VehicleColourEstimate {
  colour: VehicleColour;
  /** Share of the sampled body pixels that voted for it (0–1). */
  confidence: number;
}

/** Hue bins in degrees (start inclusive), red wrapping round. Orange paint photographs at 8–20°, red at 345–8°. */
const HUES: Array<[number, VehicleColour]> = [[8, 'orange'], [42, 'yellow'], [70, 'green'], [160, 'cyan'], [195, 'blue'], [255, 'purple'], [290, 'pink'], [345, 'red']];

function hueColour(h: number): VehicleColour {
  let colour: VehicleColour = 'red';
  for (const [start, name] of HUES) if (h >= start) colour = name;
  return h >= 345 ? 'red' : colour;
}

/**
 * The body colour of a vehicle from its box: the pixels of the body band (below the windows, above the road and
 * the wheels' shadow, the plate cut out) are sorted into chromatic colours by hue or, when most are unsaturated,
 * into black, grey and white by brightness. Reflections, windows and tyres are unsaturated or dark, so they
 * rarely outvote the paint; a white car in shade stays white because the achromatic decision uses the band's
 * brighter half. A deliberately simple colour model with no learned weights: it is measured, not trusted blindly.
 */
export function estimateVehicleColour(image: RawImage, vehicle: Box, exclude?: Box): VehicleColourEstimate | undefined {
  const { width, height, channels, data } = image;
  const x1 = Math.max(0, Math.floor(vehicle.x1 + (vehicle.x2 - vehicle.x1) * 0.1));
  const x2 = Math.min(width, Math.ceil(vehicle.x2 - (vehicle.x2 - vehicle.x1) * 0.1));
  const y1 = Math.max(0, Math.floor(vehicle.y1 + (vehicle.y2 - vehicle.y1) * 0.4));
  const y2 = Math.min(height, Math.ceil(vehicle.y2 - (vehicle.y2 - vehicle.y1) * 0.18));
  if (x2 - x1 < 4 || y2 - y1 < 4) return undefined;
  const step = Math.max(1, Math.floor(Math.sqrt(((x2 - x1) * (y2 - y1)) / 6_000))); // about 6,000 samples at most
  const votes = new Map<VehicleColour, number>();
  const values: number[] = [];
  const warmValues: number[] = [];
  let chromatic = 0;
  let samples = 0;
  for (let y = y1; y < y2; y += step) {
    for (let x = x1; x < x2; x += step) {
      if (exclude && x >= exclude.x1 && x <= exclude.x2 && y >= exclude.y1 && y <= exclude.y2) continue;
      const i = (y * width + x) * channels;
      const r = data[i] / 255;
      const g = data[i + (channels >= 3 ? 1 : 0)] / 255;
      const b = data[i + (channels >= 3 ? 2 : 0)] / 255;
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      const saturation = max === 0 ? 0 : (max - min) / max;
      samples++;
      values.push(max);
      if (saturation < 0.3 || max < 0.2) continue;
      chromatic++;
      let hue = max === r ? ((g - b) / (max - min)) % 6 : max === g ? (b - r) / (max - min) + 2 : (r - g) / (max - min) + 4;
      hue = (hue * 60 + 360) % 360;
      let colour = hueColour(hue);
      if (colour === 'red' && saturation < 0.45 && max > 0.75) colour = 'pink';
      votes.set(colour, (votes.get(colour) ?? 0) + 1);
      if (colour === 'orange' || colour === 'red') warmValues.push(max);
    }
  }
  if (samples === 0) return undefined;
  if (chromatic >= samples * 0.3) {
    const [colour, count] = [...votes].sort((a, b) => b[1] - a[1])[0];
    // Brown is dark orange/red paint: decided on the paint as a whole, not pixel by pixel (shade is dark too).
    warmValues.sort((a, b) => a - b);
    if ((colour === 'orange' || colour === 'red') && warmValues[Math.floor(warmValues.length / 2)] < 0.4) return { colour: 'brown', confidence: count / samples };
    return { colour, confidence: count / samples };
  }
  // Unsaturated paint: judge by the brighter half of the band (the lower half is shade, tyres and grille).
  values.sort((a, b) => a - b);
  const upper = values[Math.floor(values.length * 0.75)];
  const colour: VehicleColour = upper < 0.3 ? 'black' : upper < 0.7 ? 'grey' : 'white';
  return { colour, confidence: 1 - chromatic / samples };
}
