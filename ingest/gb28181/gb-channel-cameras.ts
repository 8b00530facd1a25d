import type { Logger } from 'pino';
import type { CameraSupervisor } from '../health/camera-supervisor.ts';
import type { CameraRegistry } from '../registry/camera-registry.ts';
import type { GbCatalogChannel } from './gb-catalog-assembler.ts';
import type { GbChannelRow, GbDeviceRepository } from './gb-device-repository.ts';

/**
 * Channels → hub cameras. A channel of a device with an owner department is a camera like any other
 * (national_id = channel ID); its status follows the device's registration and the channel's ON/OFF,
 * written through the camera supervisor (the one writer of camera status).
 */
export class GbChannelCameras {
  constructor(
    private readonly devices: GbDeviceRepository,
    private readonly registry: CameraRegistry,
    private readonly supervisor: Pick<CameraSupervisor, 'probedMany'>,
    private readonly isOnline: (deviceId: string) => boolean,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  /** Work per device, one after the other: a NOTIFY that follows a catalogue answer is applied after it. */
  private readonly queues = new Map<string, Promise<void>>();

  /** Stores catalogue channels and brings their cameras up to date (in arrival order per device). */
  applyCatalog(deviceId: string, channels: GbCatalogChannel[]): Promise<void> {
    const previous = this.queues.get(deviceId) ?? Promise.resolve();
    const next = previous.then(() => this.applyNow(deviceId, channels));
    const settled = next.catch(() => {}).finally(() => { if (this.queues.get(deviceId) === settled) this.queues.delete(deviceId); });
    this.queues.set(deviceId, settled);
    return next;
  }

  private async applyNow(deviceId: string, channels: GbCatalogChannel[]): Promise<void> {
    const now = Date.now();
    const removed = channels.filter((c) => c.event === 'DEL').map((c) => c.id);
    const statusOnly = channels.filter((c) => c.event === 'ON' || c.event === 'OFF' || c.event === 'VLOST' || c.event === 'DEFECT');
    const full = channels.filter((c) => !removed.includes(c.id) && !statusOnly.includes(c));
    await this.devices.upsertChannels(full.map((c) => ({
      id: c.id, device_id: deviceId, name: c.name, civil_code: c.civilCode, address: c.address, manufacturer: c.manufacturer, model: c.model,
      parent_id: c.parentId, ptz_type: c.ptzType, status: c.status, lon: c.lon, lat: c.lat, updated_at: now,
    })));
    // A deleted channel stays known (its camera keeps its grants and history) but is off.
    await this.devices.setChannelStatus(removed, 'OFF');
    await this.devices.setChannelStatus(statusOnly.filter((c) => c.status === 'ON').map((c) => c.id), 'ON');
    await this.devices.setChannelStatus(statusOnly.filter((c) => c.status === 'OFF').map((c) => c.id), 'OFF');
    await this.syncDevice(deviceId);
  }

  /** Creates or updates the cameras of every channel of the device (when it has an owner) and sets their status. */
  async syncDevice(deviceId: string): Promise<void> {
    const device = await this.devices.find(deviceId);
    if (!device) return;
    const channels = await this.devices.channels(deviceId);
    // The whole device in a few transactions (camera upserts, links, statuses), not a handful of statements per channel.
    if (device.department_id) {
      const cameras = await this.registry.upsertNationals(channels.map((channel) => ({
        nationalId: channel.id, deviceId, name: channel.name, departmentId: device.department_id!, category: device.category,
        lat: channel.lat, lon: channel.lon, address: channel.address, ptz: channel.ptz_type === 1 || channel.ptz_type === 2 || channel.ptz_type === 5,
      })));
      const links = channels.flatMap((channel, i) => (cameras[i]!.id !== channel.camera_id ? [{ channelId: channel.id, cameraId: cameras[i]!.id }] : []));
      await this.devices.linkCameras(links);
      channels.forEach((channel, i) => { channel.camera_id = cameras[i]!.id; });
    }
    await this.report(channels, device.id);
  }

  /** The device went online or offline: every camera of it follows. */
  async deviceStatusChanged(deviceId: string): Promise<void> {
    await this.report(await this.devices.channels(deviceId), deviceId);
  }

  private async report(channels: GbChannelRow[], deviceId: string): Promise<void> {
    const online = this.isOnline(deviceId);
    const results = channels.flatMap((channel) => {
      if (!channel.camera_id) return [];
      const status = online && channel.status === 'ON' ? 'online' as const : 'offline' as const;
      const reason = !online ? `GB/T 28181 device ${deviceId} is not registered` : channel.status === 'ON' ? 'GB/T 28181 channel ON' : 'GB/T 28181 channel OFF';
      return [{ cameraId: channel.camera_id, result: { status, reason } }];
    });
    if (results.length === 0) return;
    await this.supervisor.probedMany(results).catch((error: Error) => this.log.warn({ err: error, deviceId }, 'GB28181 camera statuses not recorded'));
  }
}
