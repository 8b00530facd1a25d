import { createHash } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../api/kernel/db/tables/index.ts';
import type { CameraOnvifTable } from '../../api/kernel/db/tables/ingest.ts';

/** What tells one physical device from another: its endpoint reference, and the serial its maker gave it. */
export interface DeviceIdentity {
  endpointRef: string;
  manufacturer: string | null;
  serial: string | null;
}

/**
 * The id a device's camera gets, the same every time the device is adopted: from maker and serial when the
 * device reports a serial (it survives a factory reset, which may renew the endpoint reference), else from
 * the endpoint reference. UUID-shaped so it reads like every other id.
 */
export function stableCameraId(device: DeviceIdentity): string {
  const key = device.serial ? `onvif-serial:${(device.manufacturer ?? '').trim().toLowerCase()}:${device.serial.trim()}` : `onvif-endpoint:${device.endpointRef}`;
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The ONVIF facts of adopted cameras (camera_onvif), written by adoption: which camera a device already is
 * (by endpoint reference, then maker and serial), and its facts saved or refreshed.
 */
export class DeviceIdentities {
  constructor(private readonly db: Kysely<Database>) {}

  /** The camera this device was adopted as before, found by its endpoint reference. */
  async byEndpoint(endpointRef: string): Promise<string | undefined> {
    return (await this.db.selectFrom('camera_onvif').select('camera_id').where('endpoint_ref', '=', endpointRef).executeTakeFirst())?.camera_id;
  }

  /** The camera this device was adopted as before, found by its maker and serial (none without a serial). */
  async bySerial(manufacturer: string | null, serial: string | null): Promise<string | undefined> {
    if (!serial?.trim()) return undefined;
    let query = this.db.selectFrom('camera_onvif').select('camera_id').where('serial', '=', serial);
    query = manufacturer === null ? query.where('manufacturer', 'is', null) : query.where('manufacturer', '=', manufacturer);
    return (await query.executeTakeFirst())?.camera_id;
  }

  async save(facts: Insertable<CameraOnvifTable>): Promise<void> {
    const { camera_id: _id, ...changes } = facts;
    await this.db.insertInto('camera_onvif').values(facts).onConflict((oc) => oc.column('camera_id').doUpdateSet(changes)).execute();
  }
}
