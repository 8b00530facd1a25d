import type { AuthUser } from '../../api/kernel/auth/token-service.ts';
import type { CameraCategory } from '../../api/kernel/db/tables/index.ts';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { conflict, forbidden, HubError } from '../../api/kernel/errors/hub-error.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { CameraRegistry } from '../registry/camera-registry.ts';
import type { CameraRow } from '../registry/camera-repository.ts';
import type { CandidateStore } from './candidate-store.ts';
import { readDevice, type DeviceFacts } from './device-reader.ts';
import { DeviceIdentities, stableCameraId } from './device-identity.ts';

export interface AdoptInput {
  departmentId: string;
  category: CameraCategory;
  name?: string;
  lat?: number | null;
  lon?: number | null;
  address?: string | null;
  username: string;
  password: string;
  analyticsEnabled?: boolean;
  /** 'demo' for the demo's simulated cameras; never from the API. */
  source?: 'onvif' | 'demo';
  /** The national 20-digit device code (the demo gives its cameras one); never from the API. */
  nationalId?: string;
}

export interface Adopted {
  camera: CameraRow;
  facts: DeviceFacts;
  /** True when the device was a camera already (same endpoint reference or serial) and that camera was refreshed. */
  readopted: boolean;
}

/**
 * Turns a discovery candidate into a camera: admins adopt into any department, approvers into their own.
 * The device is read with the given credentials (sent to the candidate's XAddr origin only), registered
 * through the CameraRegistry (credentials sealed), and the adoption is audited.
 */
export class CameraAdoption {
  private readonly identities: DeviceIdentities;

  constructor(private readonly ctx: HubContext, private readonly registry: CameraRegistry, private readonly candidates: CandidateStore) {
    this.identities = new DeviceIdentities(ctx.db);
  }

  async adopt(candidateId: string, input: AdoptInput, user: AuthUser, clientIp?: string): Promise<Adopted> {
    if (user.role !== 'admin' && !(user.role === 'approver' && user.departmentId === input.departmentId)) {
      throw forbidden('CAMERA_MANAGE_DENIED', 'approvers adopt cameras into their own department only');
    }
    const candidate = await this.candidates.get(candidateId);
    const adoptedAs = candidate.adopted_camera_id ? await this.ctx.cameras.find(candidate.adopted_camera_id) : undefined;
    // The same device at the same address: nothing to refresh. At a new address (after an outage, DHCP) it is adopted again below.
    if (adoptedAs && adoptedAs.onvif_xaddr === candidate.xaddr) throw conflict('CANDIDATE_ALREADY_ADOPTED', `this device is already camera ${adoptedAs.id}`);
    const { ingest } = this.ctx.config;
    let facts: DeviceFacts;
    try {
      facts = await readDevice(candidate.xaddr, { username: input.username, password: input.password }, { timeoutMs: ingest.requestTimeoutMs, maxBytes: ingest.maxResponseBytes, log: this.ctx.log });
    } catch (error) {
      await this.audit(user, clientIp, candidateId, 'failed', error);
      if (error instanceof DomainError && error.code === 'ONVIF_AUTH_FAILED') {
        throw new HubError('ONVIF_AUTH_FAILED', 'the device refused this username or password', 400, { cause: error });
      }
      throw error;
    }
    const { info } = facts;
    const device = { endpointRef: candidate.endpoint_ref, manufacturer: info.manufacturer, serial: info.serial };
    // A device keeps its camera: the one its candidate was adopted as, else the one with its endpoint reference, else its maker and serial.
    const knownId = adoptedAs?.id ?? await this.identities.byEndpoint(device.endpointRef) ?? await this.identities.bySerial(device.manufacturer, device.serial);
    const known = knownId ? await this.ctx.cameras.find(knownId) : undefined;
    const placement = { name: input.name || undefined, lat: input.lat ?? undefined, lon: input.lon ?? undefined, address: input.address ?? undefined };
    const stream = {
      streamUrl: facts.streamUrl, subStreamUrl: facts.subStreamUrl, snapshotUrl: facts.snapshotUrl, onvifXaddr: candidate.xaddr,
      credentials: { username: input.username, password: input.password }, ptz: facts.ptz,
    };
    let camera: CameraRow;
    if (known) {
      if (user.role !== 'admin' && known.department_id !== user.departmentId) {
        throw forbidden('CAMERA_MANAGE_DENIED', 'this device is a camera of another department; only its approvers or an administrator adopt it again');
      }
      camera = await this.registry.update(known.id, { ...placement, ...stream, ...(input.nationalId ? { nationalId: input.nationalId } : {}) });
    } else {
      camera = await this.registry.create({
        id: stableCameraId(device), nationalId: input.nationalId,
        name: input.name || candidate.name || info.model || 'ONVIF camera',
        departmentId: input.departmentId,
        category: input.category,
        // CameraRegistry.create turns absent placement fields into null.
        lat: input.lat,
        lon: input.lon,
        address: input.address,
        ...stream,
        analyticsEnabled: input.analyticsEnabled ?? false,
        source: input.source ?? 'onvif',
      });
    }
    if (!(await this.candidates.markAdopted(candidateId, camera.id, candidate.adopted_camera_id))) {
      if (!known) await this.registry.remove(camera.id);
      throw conflict('CANDIDATE_ALREADY_ADOPTED', 'this device was adopted by someone else meanwhile');
    }
    await this.identities.save({
      camera_id: camera.id, device_xaddr: candidate.xaddr, media_xaddr: facts.mediaXaddr, ptz_xaddr: facts.ptzXaddr,
      profile_token: facts.profileToken, sub_profile_token: facts.subProfileToken, manufacturer: info.manufacturer,
      model: info.model, firmware: info.firmware, serial: info.serial, endpoint_ref: candidate.endpoint_ref, updated_at: Date.now(),
    });
    await this.ctx.audit.append({
      action: 'config.camera.adopt', userId: user.id, username: user.username, departmentId: user.departmentId,
      targetType: 'camera', targetId: camera.id, clientIp,
      details: { candidateId, ownerDepartmentId: camera.department_id, manufacturer: info.manufacturer, model: info.model, ptz: facts.ptz, readopted: known !== undefined },
    });
    return { camera, facts, readopted: known !== undefined };
  }

  private async audit(user: AuthUser, clientIp: string | undefined, candidateId: string, result: 'failed', error: unknown): Promise<void> {
    await this.ctx.audit.append({
      action: 'config.camera.adopt', result, userId: user.id, username: user.username, departmentId: user.departmentId,
      targetType: 'camera_candidate', targetId: candidateId, clientIp, reason: error instanceof DomainError ? error.code : 'error',
    });
  }
}
