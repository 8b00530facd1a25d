import type { HubContext } from '../hub/hub-context.ts';
import type { CameraRegistry } from '../../ingest/registry/camera-registry.ts';
import type { CameraSupervisor } from '../../ingest/health/camera-supervisor.ts';
import type { PeerSession } from './peer-sessions.ts';
import { ViidError, STATUS } from './viid-status.ts';

/**
 * DeviceID → camera for received records. A device a peer may report for that has no camera yet gets one
 * (a 卡口 device without stream, owned by the peer's department); a national ID that names another
 * department's camera is refused. Answers are cached until a camera changes.
 */
export class DeviceCameras {
  private readonly cache = new Map<string, { cameraId: string; departmentId: string }>();
  /** Cameras whose status this feature last set online (a device without a stream: its peer's session is its probe). */
  private readonly online = new Set<string>();
  private readonly onChanged = () => this.cache.clear();

  constructor(private readonly ctx: HubContext, private readonly registry: CameraRegistry, private readonly supervisor: CameraSupervisor) {}

  start(): void {
    this.ctx.events.on('camera.changed', this.onChanged);
  }

  stop(): void {
    this.ctx.events.off('camera.changed', this.onChanged);
  }

  /** Camera id per device ID, or the refusal for it. */
  async resolve(session: PeerSession, deviceIds: string[]): Promise<Map<string, string | ViidError>> {
    const unique = [...new Set(deviceIds)];
    // Looked up here, not only through the cache: creating a camera announces camera.changed, which empties
    // the cache, so a batch naming two new devices would lose the first one's answer.
    const known = new Map<string, { cameraId: string; departmentId: string }>();
    for (const id of unique) {
      const cached = this.cache.get(id);
      if (cached) known.set(id, cached);
    }
    const missing = unique.filter((id) => !known.has(id));
    if (missing.length) {
      const found = await this.ctx.cameras.byNationalIds(missing);
      for (const [nationalId, camera] of found) known.set(nationalId, { cameraId: camera.id, departmentId: camera.department_id });
      for (const id of missing.filter((id) => !found.has(id))) {
        const created = await this.create(session, id);
        if (created) known.set(id, created);
      }
      for (const [id, camera] of known) this.cache.set(id, camera);
    }
    const answer = new Map<string, string | ViidError>();
    for (const id of unique) {
      const camera = known.get(id);
      if (!camera) answer.set(id, new ViidError('VIID_DEVICE_UNAVAILABLE', `no camera for device ${id}`, 503, STATUS.deviceError));
      else if (camera.departmentId !== session.departmentId) {
        answer.set(id, new ViidError('VIID_DEVICE_OTHER_DEPARTMENT', `device ${id} is another department's camera`, 403, STATUS.invalidOperation));
      } else {
        answer.set(id, camera.cameraId);
        if (!this.online.has(camera.cameraId)) await this.setStatus(camera.cameraId, 'online', `GA/T 1400 peer ${session.peerId} reports for it`);
      }
    }
    return answer;
  }

  /** A peer registered: the cameras of its devices that exist are online. */
  async peerOnline(session: PeerSession): Promise<void> {
    const cameras = await this.ctx.cameras.byNationalIds([...session.devices]);
    for (const camera of cameras.values()) {
      if (camera.department_id === session.departmentId) await this.setStatus(camera.id, 'online', `GA/T 1400 peer ${session.peerId} registered`);
    }
  }

  /** A peer unregistered or missed its keepalives: its devices' cameras are offline. */
  async peerOffline(session: PeerSession, why: string): Promise<void> {
    const cameras = await this.ctx.cameras.byNationalIds([...session.devices]);
    for (const camera of cameras.values()) {
      if (camera.source === 'gat1400' && camera.department_id === session.departmentId) await this.setStatus(camera.id, 'offline', `GA/T 1400 peer ${session.peerId} ${why}`);
    }
  }

  /** At start no peer is registered yet (sessions live in memory): every 卡口 device waits offline for its peer. */
  async allOffline(restored: PeerSession[] = []): Promise<void> {
    // The devices of sessions restored after the restart stay as they are (no offline/online flap).
    const kept = new Set<string>();
    for (const session of restored) {
      for (const camera of (await this.ctx.cameras.byNationalIds([...session.devices])).values()) if (camera.department_id === session.departmentId) kept.add(camera.id);
    }
    for (const cameraId of await this.ctx.cameras.ids({ source: 'gat1400' })) {
      if (kept.has(cameraId)) {
        if ((await this.ctx.cameras.statusOf(cameraId)) === 'online') this.online.add(cameraId);
        else await this.setStatus(cameraId, 'online', 'its GA/T 1400 session was restored after a restart');
        continue;
      }
      if ((await this.ctx.cameras.statusOf(cameraId)) === 'online') await this.setStatus(cameraId, 'offline', 'hub restarted: waiting for its GA/T 1400 peer to register');
    }
  }

  /** Only stream-less 卡口 devices: a camera with a stream keeps the health probe as its judge. */
  private async setStatus(cameraId: string, status: 'online' | 'offline', reason: string): Promise<void> {
    const facts = await this.registry.get(cameraId).catch(() => undefined);
    if (!facts || facts.stream_url) return;
    if (status === 'online') this.online.add(cameraId);
    else this.online.delete(cameraId);
    await this.supervisor.probed(cameraId, { status, reason });
  }

  /** Name and place of a device's camera, as its peer describes it (APEObject). */
  async describe(cameraId: string, place: { name?: string; lat: number | null; lon: number | null; address: string | null }): Promise<void> {
    await this.registry.update(cameraId, { ...(place.name ? { name: place.name } : {}), lat: place.lat, lon: place.lon, address: place.address });
  }

  private async create(session: PeerSession, nationalId: string): Promise<{ cameraId: string; departmentId: string }> {
    let camera;
    try {
      camera = await this.registry.createPushDevice({ name: `卡口 ${nationalId}`, departmentId: session.departmentId, nationalId });
    } catch (error) {
      // Created meanwhile by a concurrent request (national_id is unique): read it.
      const again = (await this.ctx.cameras.byNationalIds([nationalId])).get(nationalId);
      if (!again) throw error;
      return { cameraId: again.id, departmentId: again.department_id };
    }
    await this.ctx.audit.append({
      action: 'viid.device.create', targetType: 'camera', targetId: camera.id, departmentId: session.departmentId,
      details: { nationalId, peerId: session.peerId },
    });
    return { cameraId: camera.id, departmentId: camera.department_id };
  }
}
