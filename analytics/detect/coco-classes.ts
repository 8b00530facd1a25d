/** COCO ids YOLOX reports that the hub keeps; everything else (dogs, chairs, ...) is dropped on purpose. */
export const TRACKED_CLASSES = {
  0: 'person',
  1: 'bicycle',
  2: 'car',
  3: 'motorcycle',
  5: 'bus',
  7: 'truck',
} as const satisfies Record<number, string>;

export type ObjectClass = (typeof TRACKED_CLASSES)[keyof typeof TRACKED_CLASSES];

export const VEHICLE_CLASSES: readonly ObjectClass[] = ['car', 'bus', 'truck', 'motorcycle', 'bicycle'];

export function trackedClassName(cocoId: number): ObjectClass | undefined {
  return (TRACKED_CLASSES as Record<number, ObjectClass>)[cocoId];
}
