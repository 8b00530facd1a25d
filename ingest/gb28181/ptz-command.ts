import { DomainError } from '../../api/kernel/errors/domain-error.ts';

/** PTZCmd codes (facts sheet §3.5): directions and zoom combine as bits; presets are 0x81–0x83. */
export const PTZ = { stop: 0x00, right: 0x01, left: 0x02, down: 0x04, up: 0x08, zoomIn: 0x10, zoomOut: 0x20, presetSet: 0x81, presetCall: 0x82, presetDelete: 0x83 } as const;

/**
 * The 8-byte PTZCmd as 16 upper-case hex digits: A5 0F, address 01, command, data1 (pan speed), data2
 * (tilt speed or preset), zoom speed in the high nibble of byte 7, checksum = sum of bytes 1–7 mod 256.
 */
export function ptzCommand(command: number, data1: number, data2: number, zoomSpeed: number): string {
  for (const [name, value, max] of [['command', command, 255], ['data1', data1, 255], ['data2', data2, 255], ['zoom speed', zoomSpeed, 15]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > max) throw new DomainError('GB_PTZ_INVALID', `PTZ ${name} must be an integer 0-${max}`);
  }
  const bytes = [0xa5, 0x0f, 0x01, command, data1, data2, (zoomSpeed << 4) & 0xf0];
  bytes.push(bytes.reduce((sum, b) => sum + b, 0) % 256);
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}

/** A continuous move at speeds in -1..1 (pan right +, tilt up +, zoom in +); all zero is stop. */
export function moveCommand(v: { pan: number; tilt: number; zoom: number }): string {
  let command = 0;
  if (v.pan > 0) command |= PTZ.right;
  if (v.pan < 0) command |= PTZ.left;
  if (v.tilt > 0) command |= PTZ.up;
  if (v.tilt < 0) command |= PTZ.down;
  if (v.zoom > 0) command |= PTZ.zoomIn;
  if (v.zoom < 0) command |= PTZ.zoomOut;
  const speed = (x: number, max: number) => Math.min(max, Math.round(Math.abs(x) * max));
  return ptzCommand(command, speed(v.pan, 255), speed(v.tilt, 255), speed(v.zoom, 15));
}

/** Call a preset (1–255) the way wvp sends it (data1 = 1, data2 = the preset). */
export function presetCallCommand(preset: number): string {
  if (!Number.isInteger(preset) || preset < 1 || preset > 255) throw new DomainError('GB_PTZ_INVALID', 'GB/T 28181 presets are numbered 1-255');
  return ptzCommand(PTZ.presetCall, 1, preset, 0);
}
