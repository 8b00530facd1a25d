import type { PeerSessions } from './peer-sessions.ts';

/** Counters of the /VIID server for /metrics (Prometheus text). */
export class ViidMetrics {
  readonly objects = { accepted: 0, duplicate: 0, refused: 0 };
  readonly registrations = { ok: 0, challenged: 0, refused: 0 };

  constructor(private readonly sessions: PeerSessions) {}

  render(): string {
    const online = this.sessions.list();
    return [
      '# HELP hub_viid_peers_online GA/T 1400 peers with a live registration, by kind.',
      '# TYPE hub_viid_peers_online gauge',
      `hub_viid_peers_online{kind="device"} ${online.filter((s) => s.kind === 'device').length}`,
      `hub_viid_peers_online{kind="platform"} ${online.filter((s) => s.kind === 'platform').length}`,
      '# HELP hub_viid_objects_total MotorVehicleObjects received on /VIID/MotorVehicles, by outcome.',
      '# TYPE hub_viid_objects_total counter',
      ...Object.entries(this.objects).map(([result, n]) => `hub_viid_objects_total{result="${result}"} ${n}`),
      '# HELP hub_viid_registrations_total Digest registrations: ok, challenged (no credentials yet), refused.',
      '# TYPE hub_viid_registrations_total counter',
      ...Object.entries(this.registrations).map(([result, n]) => `hub_viid_registrations_total{result="${result}"} ${n}`),
      '',
    ].join('\n');
  }
}
