import type { HubContext } from '../hub/hub-context.ts';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import type { CameraRegistry } from '../../ingest/registry/camera-registry.ts';
import type { CameraSupervisor } from '../../ingest/health/camera-supervisor.ts';
import { isDomainError } from '../kernel/errors/domain-error.ts';
import { PassRejectedError, type PassRecordInput } from '../../analytics/vocabulary/pass-record-input.ts';
import { parseMotorVehicle, type ReceivedVehicle } from './objects/motor-vehicle-input.ts';
import type { PeerSession } from './peer-sessions.ts';
import { REFUSING_IMAGE_CODES, type HeldPictures, type PictureRequest, type VehicleImages } from './pictures/vehicle-images.ts';
import type { WireRefusal } from './pictures/push-messages.ts';
import type { MovableBody } from './movable-body.ts';
import { STATUS, ViidError, type StatusCode } from './viid-status.ts';
import { DeviceCameras } from './device-cameras.ts';
import type { ViidMetrics } from './viid-metrics.ts';

/** What became of one object of a batch, in request order. */
export interface IntakeOutcome {
  id: string;
  statusCode: StatusCode;
  httpStatus: number;
  text: string;
}

/** Picture problems that are the data's fault refuse the object; an unreachable URL only loses the picture. */

const ok = (id: string, text = 'OK'): IntakeOutcome => ({ id, statusCode: STATUS.ok, httpStatus: 200, text });
const refused = (id: string, error: unknown): IntakeOutcome => {
  if (error instanceof ViidError) return { id, statusCode: error.statusCode, httpStatus: error.status, text: `${error.code}: ${error.message}` };
  // Not the object's fault (a disk or database failure): the sender may retry it.
  if (!isDomainError(error)) return { id, statusCode: STATUS.deviceError, httpStatus: 500, text: 'INTERNAL: the object could not be stored; retry later' };
  return { id, statusCode: STATUS.invalidJsonContent, httpStatus: 400, text: `${error.code}: ${error.message}` };
};

/** An object of a batch: checked and reduced to a vehicle, or already refused. */
type Entry = { id: string; vehicle: ReceivedVehicle } | { id: string; outcome: IntakeOutcome };

/** The outcome of an object a writer thread refused while parsing the push. */
const wireOutcome = (id: string, error: WireRefusal): IntakeOutcome =>
  ({ id, statusCode: error.statusCode as StatusCode, httpStatus: error.status, text: `${error.code}: ${error.message}` });

/**
 * MotorVehicleObjects into checkpoint passes, through the same CheckpointStore as our own passes (so
 * watchlists, cloned-plate analysis, subscriptions, trajectories, retention and department visibility apply).
 * Each object is checked on its own (one status per object); the pass id is its MotorVehicleID, so a
 * re-sent object is acknowledged without being stored twice. Pictures are written before the insert and
 * removed again if the insert fails: nothing is half-written.
 */
export class MotorVehicleIntake {
  readonly devices: DeviceCameras;

  constructor(private readonly ctx: HubContext, private readonly store: CheckpointStore, registry: CameraRegistry, supervisor: CameraSupervisor, private readonly images: VehicleImages, private readonly metrics: ViidMetrics) {
    this.devices = new DeviceCameras(ctx, registry, supervisor);
  }

  /** Objects parsed on the event loop (notifications): each checked here, their pictures inline or by URL. */
  async receive(session: PeerSession, objects: unknown[]): Promise<IntakeOutcome[]> {
    const max = this.ctx.config.viid.maxObjectsPerRequest;
    if (objects.length > max) {
      this.metrics.objects.refused += objects.length;
      throw new ViidError('VIID_BATCH_TOO_LARGE', `at most ${max} objects per request; send ${objects.length} in smaller batches`, 413, STATUS.invalidJsonContent);
    }
    const entries: Entry[] = objects.map((raw) => {
      const id = String((raw as { MotorVehicleID?: unknown } | null)?.MotorVehicleID ?? '').slice(0, 64);
      try {
        return { id, vehicle: parseMotorVehicle(raw) };
      } catch (error) {
        return { id, outcome: refused(id, error) };
      }
    });
    return this.settle(session, entries);
  }

  /**
   * A POST /VIID/MotorVehicles body as received (bytes): parsed, checked and its pictures decoded in a writer
   * thread, which holds them; only the pictures of fresh, owned objects are written. The body's memory moves
   * to that thread.
   */
  async receivePush(session: PeerSession, body: MovableBody): Promise<IntakeOutcome[]> {
    const { parsed, push } = await this.images.parsePush(body, this.ctx.config.viid.maxObjectsPerRequest);
    if (parsed.status === 'refused') {
      const { code, message, status, statusCode, objects } = parsed.refusal;
      this.metrics.objects.refused += objects;
      throw new ViidError(code, message, status, statusCode as StatusCode);
    }
    try {
      const entries: Entry[] = parsed.objects.map((o) => ('vehicle' in o ? o : { id: o.id, outcome: wireOutcome(o.id, o.error) }));
      return await this.settle(session, entries, { push, pictures: parsed.pictures });
    } finally {
      if (parsed.pictures.some((p) => p.status === 'held')) this.images.release(push);
    }
  }

  /** Ownership, camera, duplicate checks, pictures and the insert of a batch's checked objects. */
  private async settle(session: PeerSession, entries: Entry[], held?: HeldPictures): Promise<IntakeOutcome[]> {
    const outcomes: IntakeOutcome[] = new Array(entries.length);
    const candidates: Array<{ index: number; vehicle: ReceivedVehicle }> = [];
    entries.forEach((entry, index) => {
      if ('outcome' in entry) outcomes[index] = entry.outcome;
      else if (!session.devices.has(entry.vehicle.deviceId)) {
        outcomes[index] = refused(entry.id, new ViidError('VIID_DEVICE_NOT_OWNED', `${session.peerId} may not report for device ${entry.vehicle.deviceId}`, 403, STATUS.invalidOperation));
      } else candidates.push({ index, vehicle: entry.vehicle });
    });

    const cameras = await this.devices.resolve(session, candidates.map((c) => c.vehicle.deviceId));
    const stored = await this.store.existingPassIds(candidates.map((c) => ({ id: c.vehicle.motorVehicleId, passedAt: c.vehicle.passedAt })));
    const fresh: Array<{ index: number; vehicle: ReceivedVehicle; cameraId: string }> = [];
    /** First index of each MotorVehicleID in this request; a repeat shares that object's fate. */
    const firstOf = new Map<string, number>();
    const repeats: Array<[index: number, first: number]> = [];
    for (const { index, vehicle } of candidates) {
      const camera = cameras.get(vehicle.deviceId)!;
      const first = firstOf.get(vehicle.motorVehicleId);
      if (camera instanceof Error) outcomes[index] = refused(vehicle.motorVehicleId, camera);
      else if (stored.has(vehicle.motorVehicleId)) outcomes[index] = ok(vehicle.motorVehicleId, 'OK (already stored)');
      else if (first !== undefined) repeats.push([index, first]);
      else {
        firstOf.set(vehicle.motorVehicleId, index);
        fresh.push({ index, vehicle, cameraId: camera });
      }
    }

    const records = await this.storePictures(fresh, outcomes, held);
    if (records.length > 0) {
      try {
        await this.store.ingestPasses(records.map((r) => r.record));
      } catch (error) {
        await this.images.remove(records.flatMap((r) => r.written));
        if (!(error instanceof PassRejectedError)) throw error;
        for (const { index, record } of records) outcomes[index] = refused(record.id, error);
      }
    }
    for (const [index, first] of repeats) {
      const fate = outcomes[first]!;
      outcomes[index] = fate.statusCode === STATUS.ok ? ok(fate.id, 'OK (already stored)') : fate;
    }
    for (const outcome of outcomes) {
      if (outcome.statusCode !== STATUS.ok) this.metrics.objects.refused++;
      else if (outcome.text.startsWith('OK (already')) this.metrics.objects.duplicate++;
      else this.metrics.objects.accepted++;
    }
    return outcomes;
  }
  /**
   * All pictures of the batch's new objects in one call (decoded and written off the event loop). An object
   * whose picture is the data's fault is refused; its other picture is not written when the fault was found
   * first, else left unnamed in its volume (it goes with the day's volume); an unreachable URL only
   * loses that picture (noted in the status text).
   */
  private async storePictures(fresh: Array<{ index: number; vehicle: ReceivedVehicle; cameraId: string }>, outcomes: IntakeOutcome[], held: HeldPictures | undefined): Promise<Array<{ index: number; record: PassRecordInput; written: string[] }>> {
    const requests: PictureRequest[] = [];
    const owners: number[] = [];
    fresh.forEach(({ vehicle }, i) => {
      for (const kind of ['crop', 'scene'] as const) {
        const source = vehicle[kind];
        if (!source) continue;
        requests.push({ passId: vehicle.motorVehicleId, at: vehicle.passedAt, kind, source });
        owners.push(i);
      }
    });
    const stored = await this.images.storeAll(requests, held);
    const perObject = fresh.map(() => ({ paths: {} as { crop?: string; scene?: string }, written: [] as string[], notes: [] as string[], error: undefined as Error | undefined }));
    stored.forEach((outcome, r) => {
      const entry = perObject[owners[r]!]!;
      const kind = requests[r]!.kind;
      if ('rel' in outcome) {
        entry.paths[kind] = outcome.rel;
        entry.written.push(outcome.rel);
      } else if (isDomainError(outcome.error) && !REFUSING_IMAGE_CODES.has(outcome.error.code)) entry.notes.push(`${kind} picture not stored: ${outcome.error.message}`);
      else entry.error ??= outcome.error;
    });
    const records: Array<{ index: number; record: PassRecordInput; written: string[] }> = [];
    const orphans: string[] = [];
    fresh.forEach(({ index, vehicle, cameraId }, i) => {
      const { paths, written, notes, error } = perObject[i]!;
      if (error) {
        orphans.push(...written);
        if (!isDomainError(error)) this.ctx.log.error({ err: error, motorVehicleId: vehicle.motorVehicleId }, 'viid picture could not be stored');
        outcomes[index] = refused(vehicle.motorVehicleId, error);
        return;
      }
      records.push({ index, written, record: toRecord(vehicle, cameraId, paths) });
      outcomes[index] = ok(vehicle.motorVehicleId, notes.length ? `OK (${notes.join('; ')})` : 'OK');
    });
    await this.images.remove(orphans);
    return records;
  }

}

function toRecord(v: ReceivedVehicle, cameraId: string, paths: { crop?: string; scene?: string }): PassRecordInput {
  return {
    id: v.motorVehicleId, cameraId, passedAt: v.passedAt, plate: v.plate, plateColour: v.plateColour,
    plateConfidence: v.plateConfidence, charConfidences: v.charConfidences,
    vehicleClass: v.vehicleClass, vehicleColour: v.vehicleColour, lane: v.lane, direction: v.direction,
    boxes: v.box || v.tollgateId ? { vehicle: v.box ?? null, tollgateId: v.tollgateId ?? null } : undefined,
    cropImagePath: paths.crop, sceneImagePath: paths.scene,
  };
}
