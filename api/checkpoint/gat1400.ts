import type { HubContext } from '../hub/hub-context.ts';
import { toMotorVehicleObject, type MotorVehicleObject } from '../viid/objects/motor-vehicle-object.ts';
import { viidTime } from '../viid/objects/viid-time.ts';
import type { PassRow } from './pass-record.ts';

export type { MotorVehicleObject };

/** GA/T 1400 times are local "YYYYMMDDhhmmss" in China time (kept under its old name for callers). */
export const gat1400Time = viidTime;

/**
 * Passes as a GA/T 1400 MotorVehicleListObject with conformant objects (api/viid/objects): 20/41/48-digit
 * IDs from the cameras' national IDs (derived from viid.civilCode where a camera has none), code tables,
 * box and SubImageList. Image URLs point at this hub's authorized pass image routes.
 */
export async function motorVehicleList(ctx: HubContext, rows: PassRow[], baseUrl: string) {
  return { MotorVehicleListObject: { MotorVehicleObject: await motorVehicleObjects(ctx, rows, baseUrl) } };
}

/** The passes as MotorVehicleObjects, one camera lookup for the lot. */
export async function motorVehicleObjects(ctx: HubContext, rows: PassRow[], baseUrl: string): Promise<MotorVehicleObject[]> {
  return motorVehicleObjectsWith(ctx, rows, (passId, image) => `${baseUrl}/api/v1/checkpoint/passes/${encodeURIComponent(passId)}/${image}`);
}

/** The same with image URLs of the caller's choosing (notifications and upward pushes use signed, expiring ones). */
export async function motorVehicleObjectsWith(ctx: HubContext, rows: PassRow[], imageUrl: (passId: string, image: 'crop' | 'scene') => string): Promise<MotorVehicleObject[]> {
  const nationalIds = await ctx.cameras.nationalIdsOf([...new Set(rows.map((row) => row.camera_id))]);
  return rows.map((row) => toMotorVehicleObject(row, { nationalId: nationalIds.get(row.camera_id) ?? null, civilCode: ctx.config.viid.civilCode, imageUrl }));
}
