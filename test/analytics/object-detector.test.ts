import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countPersons, countPersonsInZones, countVehicles } from '../../analytics/detect/crowd.ts';
import { ObjectDetector } from '../../analytics/detect/object-detector.ts';
import { ModelRegistry } from '../../analytics/models/model-registry.ts';
import { loadImageFile, type RawImage } from '../../analytics/models/raw-image.ts';

const MEDIA = new URL('../../media/', import.meta.url);
const COCO_DOG = 16;
let detector: ObjectDetector;
beforeAll(async () => {
  detector = await ObjectDetector.create(ModelRegistry.open(['object-detector']));
});
afterAll(async () => detector.release());

/** people_demo.png is four 611-px YOLOX demo panels side by side: traffic, football, food, desert bike. */
async function panel(index: number): Promise<RawImage> {
  const path = new URL('scenes/people_demo.png', MEDIA).pathname;
  const { data, info } = await sharp(path).removeAlpha().extract({ left: index * 611, top: 0, width: 610, height: 424 }).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

describe('object detector (YOLOX-Nano)', () => {
  it('finds the car and the bicycle, and drops the dog it also sees', async () => {
    const image = await loadImageFile(new URL('scenes/street_dog_bicycle_car.jpg', MEDIA).pathname);
    const raw = await detector.detectRaw(image);
    expect(raw.some((d) => d.classId === COCO_DOG && d.score > 0.5)).toBe(true);
    const objects = await detector.detect(image);
    const classes = objects.map((o) => o.className);
    expect(classes).toContain('car');
    expect(classes).toContain('bicycle');
    expect(classes.every((c) => ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck'].includes(c))).toBe(true);
    expect(countVehicles(objects)).toBeGreaterThanOrEqual(2);
    expect(countPersons(objects)).toBe(0);
    // Boxes are in source pixels (768x576): the bicycle spans most of the width around the middle.
    const bicycle = objects.find((o) => o.className === 'bicycle')!;
    expect(bicycle.box.x1).toBeLessThan(150);
    expect(bicycle.box.x2).toBeGreaterThan(500);
    expect(bicycle.box.y2).toBeLessThanOrEqual(576);
  });

  it('counts the football players and the rider, and no one in the food picture', async () => {
    const football = await detector.detect(await panel(1));
    const food = await detector.detect(await panel(2));
    const desert = await detector.detect(await panel(3));
    expect(countPersons(football)).toBeGreaterThanOrEqual(4);
    expect(countPersons(food)).toBe(0);
    expect(countPersons(desert)).toBeGreaterThanOrEqual(1);
    expect(desert.some((o) => o.className === 'bicycle')).toBe(true);
  });

  it('still finds people in the full 2443-px-wide montage, in source coordinates', async () => {
    const image = await loadImageFile(new URL('scenes/people_demo.png', MEDIA).pathname);
    const people = (await detector.detect(image)).filter((o) => o.className === 'person');
    expect(people.length).toBeGreaterThanOrEqual(2);
    const inFootballPanel = people.filter((p) => p.box.x1 >= 611 && p.box.x2 <= 1222);
    expect(inFootballPanel.length).toBeGreaterThanOrEqual(2);
    const zones = countPersonsInZones(people, [
      { id: 'football', polygon: [{ x: 611, y: 0 }, { x: 1222, y: 0 }, { x: 1222, y: 424 }, { x: 611, y: 424 }] },
      { id: 'food', polygon: [{ x: 1222, y: 0 }, { x: 1833, y: 0 }, { x: 1833, y: 424 }, { x: 1222, y: 424 }] },
    ]);
    expect(zones.football).toBe(inFootballPanel.length);
    expect(zones.food).toBe(0);
  });
});
