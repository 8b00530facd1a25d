import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectDetector } from '../../analytics/detect/object-detector.ts';
import { ModelRegistry } from '../../analytics/models/model-registry.ts';
import { loadImageFile, type RawImage } from '../../analytics/models/raw-image.ts';
import { travelDirection } from '../../analytics/vehicles/travel-direction.ts';
import { estimateVehicleColour } from '../../analytics/vehicles/vehicle-colour.ts';
import { MEDIA_DIR } from '../../devtools/sim/test-clip.ts';

/** A car-like picture: sky, a body in `paint` with a darker lower half (shade), dark windows and tyres, grey road. */
async function paintedCar(paint: string): Promise<RawImage> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="240">
    <rect width="400" height="240" fill="#8a8f94"/>
    <rect x="40" y="40" width="320" height="150" rx="30" fill="${paint}"/>
    <rect x="40" y="130" width="320" height="60" fill="#000" opacity="0.25"/>
    <rect x="90" y="50" width="220" height="45" fill="#1c2430"/>
    <circle cx="100" cy="195" r="28" fill="#111"/><circle cx="300" cy="195" r="28" fill="#111"/></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

describe('vehicle colour', () => {
  const car = { x1: 40, y1: 40, x2: 360, y2: 225 };
  it.each([
    ['#f2f2f0', 'white'], ['#16181a', 'black'], ['#8c9094', 'grey'], ['#c8102e', 'red'], ['#1f4e9c', 'blue'],
    ['#f3c300', 'yellow'], ['#2e8b3a', 'green'], ['#ef7d1a', 'orange'], ['#5a3a22', 'brown'], ['#6a2c91', 'purple'],
    ['#1aa6b7', 'cyan'], ['#f4a0b8', 'pink'],
  ])('paint %s is %s', async (paint, colour) => {
    expect(estimateVehicleColour(await paintedCar(paint), car)?.colour).toBe(colour);
  });

  it('does not count the plate: a white car with a blue plate is white', async () => {
    const image = await paintedCar('#f2f2f0');
    const plate = { x1: 150, y1: 150, x2: 250, y2: 180 };
    for (let y = plate.y1; y < plate.y2; y++) for (let x = plate.x1; x < plate.x2; x++) image.data.set([20, 60, 200], (y * image.width + x) * 3);
    expect(estimateVehicleColour(image, car, plate)?.colour).toBe('white');
  });

  describe('on real photos, with the detector\'s boxes', () => {
    let detector: ObjectDetector;
    beforeAll(async () => { detector = await ObjectDetector.create(ModelRegistry.open(['object-detector']), { intraOpThreads: 1 }); }, 60_000);
    afterAll(async () => { await detector?.release(); });
    const biggest = async (file: string, className: string) => {
      const image = await loadImageFile(join(MEDIA_DIR, file));
      const boxes = (await detector.detect(image)).filter((o) => o.className === className).sort((a, b) => (b.box.x2 - b.box.x1) * (b.box.y2 - b.box.y1) - (a.box.x2 - a.box.x1) * (a.box.y2 - a.box.y1));
      return { image, box: boxes[0].box };
    };
    it('the car in the street photo is white', async () => {
      const { image, box } = await biggest('plates/green_suED51712_street.jpg', 'car');
      expect(estimateVehicleColour(image, box)?.colour).toBe('white');
    });
    it('the pickup behind the bicycle is white', async () => {
      const { image, box } = await biggest('scenes/street_dog_bicycle_car.jpg', 'car');
      expect(estimateVehicleColour(image, box)?.colour).toBe('white');
    });
  });
});

describe('direction of travel', () => {
  const at = (x: number, y: number) => ({ x1: x, y1: y, x2: x + 100, y2: y + 30 });
  it('tells towards, away and across from where the plate was first and last seen', () => {
    expect(travelDirection(at(900, 300), at(920, 800), 1080)).toBe('approaching');
    expect(travelDirection(at(900, 800), at(880, 300), 1080)).toBe('receding');
    expect(travelDirection(at(100, 600), at(1500, 650), 1080)).toBe('left_to_right');
    expect(travelDirection(at(1500, 600), at(100, 640), 1080)).toBe('right_to_left');
    expect(travelDirection(at(900, 600), at(910, 610), 1080)).toBeUndefined(); // a waiting car has no direction
  });
});
