import type { Box } from '../detect/nms.ts';

/**
 * Direction of travel in the picture, from where the vehicle (its plate) was first and last seen: towards the
 * camera (down the picture, growing), away from it, or across. Words, not compass points: a compass direction
 * needs the camera's heading, which cameras do not report; GA/T 1400 exports map these words to 9 (other).
 * Undefined when it moved less than `minShift` of the frame's height (a parked or queued car).
 */
export type TravelDirection = 'approaching' | 'receding' | 'left_to_right' | 'right_to_left';

export function travelDirection(first: Box, last: Box, frameHeight: number, minShift = 0.04): TravelDirection | undefined {
  const cx = (b: Box) => (b.x1 + b.x2) / 2;
  const cy = (b: Box) => (b.y1 + b.y2) / 2;
  const dx = cx(last) - cx(first);
  const dy = cy(last) - cy(first);
  if (Math.hypot(dx, dy) < minShift * frameHeight) return undefined;
  if (Math.abs(dy) >= Math.abs(dx) * 0.6) return dy > 0 ? 'approaching' : 'receding';
  return dx > 0 ? 'left_to_right' : 'right_to_left';
}
