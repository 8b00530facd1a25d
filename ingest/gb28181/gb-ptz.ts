import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import type { NationalPtz } from '../ptz/ptz-service.ts';
import type { PtzPreset } from '../onvif/onvif-parse.ts';
import type { GbDeviceRepository } from './gb-device-repository.ts';
import type { GbPresets } from './gb-presets.ts';
import type { GbSipServer } from './gb-sip-server.ts';
import { moveCommand, presetCallCommand } from './ptz-command.ts';

/**
 * PTZ of GB/T 28181 channels: DeviceControl MESSAGEs with the 8-byte PTZCmd to the channel's device. A move
 * is followed by a stop after `timeoutMs` (GB devices keep moving until told to stop).
 */
export class GbPtz implements NationalPtz {
  private readonly stops = new Map<string, NodeJS.Timeout>();

  constructor(private readonly server: () => GbSipServer | undefined, private readonly devices: GbDeviceRepository, private readonly presetQueries: GbPresets) {}

  /** The channel's presets as the device lists them (PresetQuery). */
  presets(channelId: string): Promise<PtzPreset[]> {
    return this.presetQueries.query(channelId);
  }

  async move(channelId: string, velocity: { pan: number; tilt: number; zoom: number }, timeoutMs: number): Promise<void> {
    await this.send(channelId, moveCommand(velocity));
    clearTimeout(this.stops.get(channelId));
    const timer = setTimeout(() => {
      this.stops.delete(channelId);
      void this.send(channelId, moveCommand({ pan: 0, tilt: 0, zoom: 0 })).catch(() => {});
    }, timeoutMs);
    timer.unref();
    this.stops.set(channelId, timer);
  }

  async stop(channelId: string): Promise<void> {
    clearTimeout(this.stops.get(channelId));
    this.stops.delete(channelId);
    await this.send(channelId, moveCommand({ pan: 0, tilt: 0, zoom: 0 }));
  }

  async gotoPreset(channelId: string, preset: string): Promise<void> {
    if (!/^\d{1,3}$/.test(preset)) throw new DomainError('GB_PTZ_INVALID', 'GB/T 28181 presets are numbered 1-255');
    await this.send(channelId, presetCallCommand(Number(preset)));
  }

  private async send(channelId: string, command: string): Promise<void> {
    const channel = await this.devices.channel(channelId);
    const server = this.server();
    if (!channel || !server) throw new DomainError('GB_DEVICE_OFFLINE', `GB/T 28181 channel ${channelId} is not reachable`);
    await server.query(channel.device_id, 'DeviceControl', [['DeviceID', channelId], ['PTZCmd', command]], 'Control', '<Info><ControlPriority>5</ControlPriority></Info>');
  }
}
