import { conflict } from '../../api/kernel/errors/hub-error.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import { OnvifClient } from '../onvif/onvif-client.ts';
import type { PtzPreset } from '../onvif/onvif-parse.ts';
import type { CameraRegistry } from '../registry/camera-registry.ts';
import type { CameraRow } from '../registry/camera-repository.ts';

/** PTZ of cameras that are not ONVIF: GB/T 28181 channels (by their national ID). */
export interface NationalPtz {
  move(nationalId: string, velocity: PtzVelocity, timeoutMs: number): Promise<void>;
  stop(nationalId: string): Promise<void>;
  gotoPreset(nationalId: string, preset: string): Promise<void>;
  /** The presets the device lists (GB/T 28181 PresetQuery). */
  presets(nationalId: string): Promise<PtzPreset[]>;
}

export interface PtzVelocity {
  pan: number;
  tilt: number;
  zoom: number;
}

/**
 * PTZ through ONVIF for adopted cameras that have it, through GB/T 28181 DeviceControl for national
 * channels with a PTZ type; 409 PTZ_UNSUPPORTED for any other camera.
 */
export class PtzService {
  constructor(private readonly ctx: HubContext, private readonly registry: CameraRegistry, private readonly national?: NationalPtz) {}

  /** The national channel ID when the camera is a GB/T 28181 channel with PTZ and the back end is there. */
  private async nationalOf(cameraId: string): Promise<string | undefined> {
    const camera: CameraRow = await this.registry.get(cameraId);
    if (camera.source !== 'gb28181') return undefined;
    if (camera.ptz !== 1 || !camera.national_id || !this.national) throw conflict('PTZ_UNSUPPORTED', 'this GB/T 28181 channel has no PTZ');
    return camera.national_id;
  }

  async move(cameraId: string, velocity: PtzVelocity, timeoutMs: number): Promise<void> {
    const national = await this.nationalOf(cameraId);
    if (national) return this.national!.move(national, velocity, timeoutMs);
    const { client, ptzUrl, profileToken } = await this.target(cameraId);
    await client.continuousMove(ptzUrl, profileToken, velocity, timeoutMs);
  }

  async stop(cameraId: string): Promise<void> {
    const national = await this.nationalOf(cameraId);
    if (national) return this.national!.stop(national);
    const { client, ptzUrl, profileToken } = await this.target(cameraId);
    await client.stop(ptzUrl, profileToken);
  }

  async presets(cameraId: string): Promise<PtzPreset[]> {
    const national = await this.nationalOf(cameraId);
    if (national) return this.national!.presets(national);
    const { client, ptzUrl, profileToken } = await this.target(cameraId);
    return client.getPresets(ptzUrl, profileToken);
  }

  async gotoPreset(cameraId: string, presetToken: string): Promise<void> {
    const national = await this.nationalOf(cameraId);
    if (national) return this.national!.gotoPreset(national, presetToken);
    const { client, ptzUrl, profileToken } = await this.target(cameraId);
    await client.gotoPreset(ptzUrl, profileToken, presetToken);
  }

  private async target(cameraId: string) {
    const camera = await this.registry.get(cameraId);
    const onvif = await this.ctx.db.selectFrom('camera_onvif').selectAll().where('camera_id', '=', cameraId).executeTakeFirst();
    if (camera.ptz !== 1 || !onvif?.ptz_xaddr || !camera.onvif_xaddr) {
      throw conflict('PTZ_UNSUPPORTED', 'this camera has no PTZ (or was not adopted through ONVIF)');
    }
    const { requestTimeoutMs, maxResponseBytes } = this.ctx.config.ingest;
    const client = new OnvifClient({ xaddr: camera.onvif_xaddr, credentials: this.ctx.cameras.credentialsOf(camera), timeoutMs: requestTimeoutMs, maxBytes: maxResponseBytes, log: this.ctx.log });
    // Measures the device clock so the UsernameToken's Created is accepted.
    await client.getSystemDateAndTime();
    return { client, ptzUrl: client.serviceUrl(onvif.ptz_xaddr, 'ptz'), profileToken: onvif.profile_token };
  }
}
