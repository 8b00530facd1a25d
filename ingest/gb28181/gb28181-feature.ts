import type { HubContext } from '../../api/hub/hub-context.ts';
import { DemoGbNvr } from '../../devtools/demo/demo-gb-nvr.ts';
import type { ProvidingFeature } from '../../api/kernel/hub-feature.ts';
import type { NodeClaims } from '../../api/kernel/cluster/node-claims.ts';
import type { CameraSupervisor } from '../health/camera-supervisor.ts';
import type { CameraRegistry } from '../registry/camera-registry.ts';
import type { RelayPool } from '../../relay/relay-pool.ts';
import type { PlaybackSessions } from '../../api/playback/playback-sessions.ts';
import { GbCatalogRequests } from './gb-catalog-requests.ts';
import { GbChannelCameras } from './gb-channel-cameras.ts';
import { GbDevicePlaybacks } from './gb-device-playbacks.ts';
import { registerGbPlaybackMediaRoutes, registerGbPlaybackRoutes } from './gb-playback-routes.ts';
import { GbDeviceRepository } from './gb-device-repository.ts';
import { GbLiveFeeds } from './gb-live-feeds.ts';
import { GbPtz } from './gb-ptz.ts';
import { GbPresets } from './gb-presets.ts';
import { GbRecords } from './gb-records.ts';
import { GbUpperLink, type UpperChannel } from './gb-upper-link.ts';
import { registerGbRoutes } from './gb-routes.ts';
import { registerGbUpperRoutes } from './gb-upper-routes.ts';
import { GbSipServer } from './gb-sip-server.ts';
import { HubRecordingFiles } from './hub-recording-files.ts';
import type { RecordingService } from '../../recording/recording-feature.ts';

export interface Gb28181Dependencies {
  cameras: CameraRegistry;
  supervisor: CameraSupervisor;
  /** The relay, built after this feature: channels shared upward are read from it; undefined when it is off. */
  relay?: () => RelayPool | undefined;
  /** Playback sessions (built after this feature): recordings on devices play under their rules; undefined when off. */
  playback?: () => PlaybackSessions | undefined;
  /** The hub's recordings (built after this feature): played to the upper platform first; undefined when off. */
  recording?: () => Pick<RecordingService, 'index' | 'root'> | undefined;
}

const gbClaimKey = (deviceId: string) => `gb28181:device:${deviceId}`;

/** GB camera → the node holding its device's registration (null: registered on no node now). */
async function gbCameraNodes(devices: GbDeviceRepository, claims: NodeClaims): Promise<Map<string, string | null>> {
  const rows = await devices.cameraDevices();
  const holders = await claims.holders([...new Set(rows.map((r) => gbClaimKey(r.device_id)))]);
  return new Map(rows.map((r) => [r.camera_id, holders.get(gbClaimKey(r.device_id)) ?? null]));
}

/** What the GB/T 28181 feature offers: live feeds for the relay, and its server and devices for tests and the CLI. */
export interface Gb28181Service {
  feeds: GbLiveFeeds;
  /** PTZ of GB channels for the PTZ service (DeviceControl with PTZCmd). */
  ptz: GbPtz;
  devices: GbDeviceRepository;
  /** The SIP server (undefined unless gb28181.enabled). */
  server: GbSipServer | undefined;
  /** Catalogue queries still waiting for their answer (asked again until one comes). */
  catalogRequests: Pick<GbCatalogRequests, 'pending'>;
}

/**
 * GB/T 28181: the SIP server devices, NVRs and lower platforms register to; their catalogues become
 * cameras of the department an admin assigns; live video comes in as PS over RTP and feeds the relay.
 */
export function createGb28181Feature(ctx: HubContext, { cameras, supervisor, relay, playback, recording }: Gb28181Dependencies): ProvidingFeature<Gb28181Service> {
  const config = ctx.config.gb28181;
  const log = ctx.log.child({ feature: 'gb28181' });
  const devices = new GbDeviceRepository(ctx.db, ctx.secrets);
  let server: GbSipServer | undefined;
  const records = new GbRecords(() => server, devices);
  const presets = new GbPresets(() => server, devices);
  const channelCameras = new GbChannelCameras(devices, cameras, supervisor, (id) => server?.sessions.get(id) !== undefined, log);
  const guard = (what: string, work: Promise<unknown>) => { work.catch((error: Error) => log.warn({ err: error }, `GB28181: ${what} failed`)); };
  let catalogRequests: GbCatalogRequests | undefined;
  if (config.enabled) {
    catalogRequests = new GbCatalogRequests({
      query: (id) => server!.query(id, 'Catalog'), registered: (id) => server?.sessions.get(id) !== undefined,
      answerTimeoutMs: config.catalogAnswerTimeoutSeconds * 1_000, log,
    });
    server = new GbSipServer(config, devices, {
      // Each step on its own: a DeviceInfo the device refuses must not cost the catalogue.
      online: (id) => {
        if (ctx.cluster) guard('claiming the device for this node', ctx.cluster.claims.claim(gbClaimKey(id)));
        guard('bringing a device online', channelCameras.deviceStatusChanged(id));
        guard('asking for device info', server!.query(id, 'DeviceInfo'));
        catalogRequests!.request(id);
        guard('subscribing to the catalogue', server!.subscriptions.subscribe(id));
      },
      catalogPart: (id) => catalogRequests!.answered(id),
      offline: (id, reason) => guard('taking a device offline', (async () => {
        catalogRequests!.cancel(id);
        await ctx.cluster?.claims.release(gbClaimKey(id));
        log.info({ deviceId: id, reason }, 'GB28181 device offline');
        await devices.update(id, { status: 'offline' });
        await channelCameras.deviceStatusChanged(id);
      })()),
      catalog: (id, channels, kind) => guard('applying a catalogue', (async () => {
        log.info({ deviceId: id, channels: channels.length, kind }, 'GB28181 catalogue');
        await channelCameras.applyCatalog(id, channels);
      })()),
      deviceInfo: (id, info) => guard('storing device info', devices.update(id, {
        ...(info.manufacturer ? { manufacturer: info.manufacturer.slice(0, 100) } : {}), ...(info.model ? { model: info.model.slice(0, 100) } : {}),
        ...(info.firmware ? { firmware: info.firmware.slice(0, 100) } : {}),
      })),
      bye: (callId) => feeds.onBye(callId),
      records: (doc) => records.push(doc),
      presets: (doc) => presets.push(doc),
      mediaStatus: (callId, channelId, notifyType) => { if (notifyType === '121') feeds.onMediaStatus(callId, channelId); },
    }, log);
  }
  const feeds = new GbLiveFeeds(config, server, cameras, devices, log);
  // In a cluster, a channel is pulled by the node its device registered to: only that node can INVITE it.
  if (server && ctx.cluster) ctx.cluster.pinCameras(() => gbCameraNodes(devices, ctx.cluster!.claims));
  const sharedUpward = async (): Promise<UpperChannel[]> => {
    const out: UpperChannel[] = [];
    for (const share of await devices.upperShares()) {
      const camera = await ctx.cameras.find(share.camera_id);
      if (camera?.national_id) {
        out.push({
          id: camera.national_id, cameraId: camera.id, name: camera.name, address: camera.address, lat: camera.lat, lon: camera.lon, online: camera.status === 'online',
          gb: camera.source === 'gb28181', ptz: share.ptz === 1, playback: share.playback === 1,
        });
      }
    }
    return out;
  };
  const upper = server && config.upper.enabled ? new GbUpperLink(config, server, sharedUpward, log, {
    append: (event) => ctx.audit.append(event), cameraOf: async (nationalId) => (await ctx.cameras.findByNationalId(nationalId))?.id,
  }) : undefined;
  if (server) server.upper = upper;
  if (upper) {
    upper.relay = relay;
    upper.feeds = feeds;
    upper.recordings = () => { const r = recording?.(); return r ? new HubRecordingFiles(r.index, r.root) : undefined; };
    upper.ffmpegPath = ctx.config.relay.ffmpegPath;
    upper.lower = {
      ptz: async (channelId, ptzCmd) => {
        const channel = await devices.channel(channelId);
        if (!channel) throw new Error(`channel ${channelId} is not known`);
        await server!.query(channel.device_id, 'DeviceControl', [['DeviceID', channelId], ['PTZCmd', ptzCmd]], 'Control', '<Info><ControlPriority>5</ControlPriority></Info>');
      },
      records: (channelId, start, end) => records.query(channelId, start, end),
    };
  }
  const playbacks = new GbDevicePlaybacks({
    feeds, relay: () => relay?.(), sessions: () => playback?.(), startTimeoutMs: ctx.config.relay.startTimeoutSeconds * 1_000, log,
  });
  const playbackDeps = { records, playbacks, sessions: () => playback?.(), relay: () => relay?.() };
  const demo = server && ctx.config.demo.gbNvrChannels > 0 ? new DemoGbNvr(ctx, server, devices, ctx.config.demo.gbNvrChannels) : undefined;
  server?.endpoint.on('strayInviteOk', (response) => feeds.onStrayOk(response));

  return {
    name: 'gb28181',
    provides: { feeds, ptz: new GbPtz(() => server, devices, presets), devices, server, catalogRequests: { pending: () => catalogRequests?.pending() ?? [] } },
    registerRoutes: (app) => {
      registerGbRoutes(app, ctx, { devices, cameras: channelCameras, records, server: () => server });
      registerGbUpperRoutes(app, ctx, { devices, upper: () => upper });
      registerGbPlaybackRoutes(app, ctx, playbackDeps);
    },
    registerRootRoutes: (app) => registerGbPlaybackMediaRoutes(app, playbackDeps),
    start: async () => {
      if (!server) return;
      const gbServer = server;
      ctx.metrics.add('gb28181', () => {
        const live = feeds.running();
        return [
          '# HELP hub_gb28181_devices_registered GB/T 28181 devices and lower platforms registered now.',
          '# TYPE hub_gb28181_devices_registered gauge',
          `hub_gb28181_devices_registered ${gbServer.sessions.ids().length}`,
          '# HELP hub_gb28181_live_streams GB/T 28181 channels streaming to the relay now.',
          '# TYPE hub_gb28181_live_streams gauge',
          `hub_gb28181_live_streams ${live.length}`,
          '# HELP hub_gb28181_sip_malformed_total SIP datagrams and streams dropped as not SIP.',
          '# TYPE hub_gb28181_sip_malformed_total counter',
          `hub_gb28181_sip_malformed_total ${gbServer.malformed}`,
          '# HELP hub_gb28181_rtp_dropped_packets RTP packets dropped (foreign SSRC, not PS) by the running streams.',
          '# TYPE hub_gb28181_rtp_dropped_packets gauge',
          `hub_gb28181_rtp_dropped_packets ${live.reduce((n, session) => n + session.rtp.dropped, 0)}`,
        ].join('\n');
      });
      // Registrations live in memory: after a restart every device is offline until it registers again.
      for (const device of await devices.online()) {
        await devices.update(device.id, { status: 'offline' });
        await channelCameras.deviceStatusChanged(device.id);
      }
      await server.start();
      playbacks.start();
      log.info({ port: server.port, serverId: config.serverId, domain: config.domain }, 'GB28181 SIP server listening');
      await demo?.start();
      upper?.start();
    },
    stop: async () => {
      ctx.metrics.remove('gb28181');
      await upper?.stop();
      await demo?.stop();
      await playbacks.stop();
      for (const session of feeds.running()) await session.close();
      catalogRequests?.stop();
      await server?.stop();
    },
    readiness: async () => ({ ok: !config.enabled || (server?.port ?? 0) > 0, detail: config.enabled ? `SIP on ${server?.port}, ${server?.sessions.ids().length ?? 0} devices registered` : 'disabled' }),
  };
}
