import type { AuthUser } from '../../api/kernel/auth/token-service.ts';
import type { CameraCategory } from '../../api/kernel/db/tables/index.ts';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { conflict, forbidden, HubError } from '../../api/kernel/errors/hub-error.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { CameraRegistry } from '../registry/camera-registry.ts';
import type { CameraRow } from '../registry/camera-repository.ts';
import type { CandidateStore } from './candidate-store.ts';
import { readDevice, type DeviceFacts } from './device-reader.ts';

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
  /** 'demo' for the demo's simulated cameras (replaced on every demo start); never from the API. */
  source?: 'onvif' | 'demo';
}

export interface Adopted {
  camera: CameraRow;
  facts: DeviceFacts;
}

/**
 * Turns a discovery candidate into a camera: admins adopt into any department, approvers into their own.
 * The device is read with the given credentials (sent to the candidate's XAddr origin only), registered
 * through the CameraRegistry (credentials sealed), and the adoption is audited.
 */
export class CameraAdoption {
  constructor(private readonly ctx: HubContext, private readonly registry: CameraRegistry, private readonly candidates: CandidateStore) {}

  async adopt(candidateId: string, input: AdoptInput, user: AuthUser, clientIp?: string): Promise<Adopted> {
    if (user.role !== 'admin' && !(user.role === 'approver' && user.departmentId === input.departmentId)) {
      throw forbidden('CAMERA_MANAGE_DENIED', 'approvers adopt cameras into their own department only');
    }
    const candidate = await this.candidates.get(candidateId);
    if (candidate.adopted_camera_id) throw conflict('CANDIDATE_ALREADY_ADOPTED', `this device is already camera ${candidate.adopted_camera_id}`);
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
    const camera = await this.registry.create({
      name: input.name || candidate.name || facts.info.model || 'ONVIF camera',
      departmentId: input.departmentId,
      category: input.category,
      // CameraRegistry.create turns absent placement fields into null.
      lat: input.lat,
      lon: input.lon,
      address: input.address,
      streamUrl: facts.streamUrl,
      subStreamUrl: facts.subStreamUrl,
      snapshotUrl: facts.snapshotUrl,
      onvifXaddr: candidate.xaddr,
      credentials: { username: input.username, password: input.password },
      ptz: facts.ptz,
      analyticsEnabled: input.analyticsEnabled ?? false,
      source: input.source ?? 'onvif',
    });
    if (!(await this.candidates.markAdopted(candidateId, camera.id))) {
      await this.registry.remove(camera.id);
      throw conflict('CANDIDATE_ALREADY_ADOPTED', 'this device was adopted by someone else meanwhile');
    }
    const { info } = facts;
    await this.ctx.db.insertInto('camera_onvif').values({
      camera_id: camera.id, device_xaddr: candidate.xaddr, media_xaddr: facts.mediaXaddr, ptz_xaddr: facts.ptzXaddr,
      profile_token: facts.profileToken, sub_profile_token: facts.subProfileToken, manufacturer: info.manufacturer,
      model: info.model, firmware: info.firmware, serial: info.serial, updated_at: Date.now(),
    }).execute();
    await this.ctx.audit.append({
      action: 'config.camera.adopt', userId: user.id, username: user.username, departmentId: user.departmentId,
      targetType: 'camera', targetId: camera.id, clientIp,
      details: { candidateId, ownerDepartmentId: input.departmentId, manufacturer: info.manufacturer, model: info.model, ptz: facts.ptz },
    });
    return { camera, facts };
  }

  private async audit(user: AuthUser, clientIp: string | undefined, candidateId: string, result: 'failed', error: unknown): Promise<void> {
    await this.ctx.audit.append({
      action: 'config.camera.adopt', result, userId: user.id, username: user.username, departmentId: user.departmentId,
      targetType: 'camera_candidate', targetId: candidateId, clientIp, reason: error instanceof DomainError ? error.code : 'error',
    });
  }
}
