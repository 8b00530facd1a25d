import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CameraCategory, CamerasTable, CameraStatus, Database } from '../../api/kernel/db/tables/index.ts';
import { badRequest, HubError, notFound } from '../../api/kernel/errors/hub-error.ts';
import type { HubEvents } from '../../api/kernel/events/hub-events.ts';
import { assertCameraUrl, withCredentials } from '../rtsp/camera-url.ts';
import type { CameraChanges, CameraCredentials, CameraRepository, CameraRow, NewCameraRow } from './camera-repository.ts';

export interface CameraInput {
  /** A deterministic id (a device's stable identity, see ingest/discovery/device-identity.ts); random otherwise. */
  id?: string;
  /** The national 20-digit device code (GB/T 28181), unique where set. */
  nationalId?: string | null;
  name: string;
  departmentId: string;
  category: CameraCategory;
  lat?: number | null;
  lon?: number | null;
  address?: string | null;
  streamUrl: string;
  subStreamUrl?: string | null;
  snapshotUrl?: string | null;
  onvifXaddr?: string | null;
  credentials?: CameraCredentials | null;
  ptz?: boolean;
  analyticsEnabled?: boolean;
  source?: CamerasTable['source'];
}

/** A GB/T 28181 channel as a camera. */
export interface NationalCameraInput {
  nationalId: string;
  deviceId: string;
  name: string;
  departmentId: string;
  category: CameraCategory;
  lat: number | null;
  lon: number | null;
  address: string | null;
  ptz: boolean;
}

/** Credentials typed into a URL (rtsp://user:pass@host) move to the encrypted store; the URL keeps none. */
function splitCredentials(raw: string): { url: string; credentials?: CameraCredentials } {
  const url = assertCameraUrl(raw);
  if (!url.username) return { url: url.toString() };
  const credentials = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  url.username = '';
  url.password = '';
  return { url: url.toString(), credentials };
}

function optionalHttpUrl(raw: string | null | undefined, field: string): string | null {
  if (!raw) return null;
  let url: URL;
  try { url = new URL(raw); } catch (cause) { throw badRequest('CAMERA_URL_INVALID', `${field} is not a valid URL`, cause); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest('CAMERA_URL_SCHEME', `${field} must be http(s)`);
  url.username = '';
  url.password = '';
  return url.toString();
}

/** Rows per transaction in the batch writes (GB/T 28181 channels). */
const SLICE = 200;

const DEFAULT_PORTS: Record<string, string> = { 'rtsp:': '554', 'rtsps:': '322', 'http:': '80', 'https:': '443' };

/** Scheme, host and port of every endpoint the hub sends a camera's credentials to (stream, sub-stream, snapshot, ONVIF). */
export function credentialEndpoints(row: Pick<CameraRow, 'stream_url' | 'sub_stream_url' | 'snapshot_url' | 'onvif_xaddr'>): Set<string> {
  const endpoints = new Set<string>();
  for (const raw of [row.stream_url, row.sub_stream_url, row.snapshot_url, row.onvif_xaddr]) {
    if (!raw) continue;
    const url = new URL(raw);
    endpoints.add(`${url.protocol}//${url.hostname.toLowerCase()}:${url.port || DEFAULT_PORTS[url.protocol] || ''}`);
  }
  return endpoints;
}

/**
 * The cameras the hub knows: registration (manual, ONVIF adoption, CSV), credentials sealed at rest,
 * status. Opens credentials only to hand them to a camera, never to a user; the rows live in CameraRepository.
 */
export class CameraRegistry {
  constructor(private readonly db: Kysely<Database>, private readonly cameras: CameraRepository, private readonly events: HubEvents) {}

  async create(input: CameraInput): Promise<CameraRow> {
    const department = await this.db.selectFrom('departments').select('id').where('id', '=', input.departmentId).executeTakeFirst();
    if (!department) throw badRequest('DEPARTMENT_UNKNOWN', `department ${input.departmentId} does not exist`);
    const main = splitCredentials(input.streamUrl);
    const sub = input.subStreamUrl ? splitCredentials(input.subStreamUrl) : undefined;
    const credentials = input.credentials ?? main.credentials ?? sub?.credentials;
    const now = Date.now();
    const row: NewCameraRow = {
      id: input.id ?? randomUUID(),
      national_id: input.nationalId ?? null,
      name: input.name,
      department_id: input.departmentId,
      category: input.category,
      lat: input.lat ?? null,
      lon: input.lon ?? null,
      address: input.address ?? null,
      stream_url: main.url,
      sub_stream_url: sub?.url ?? null,
      snapshot_url: optionalHttpUrl(input.snapshotUrl, 'snapshotUrl'),
      onvif_xaddr: optionalHttpUrl(input.onvifXaddr, 'onvifXaddr'),
      status: 'unknown',
      last_seen_at: null,
      status_changed_at: null,
      ptz: input.ptz ? 1 : 0,
      analytics_enabled: input.analyticsEnabled ? 1 : 0,
      source: input.source ?? 'manual',
      created_at: now,
      updated_at: now,
    };
    const created = await this.cameras.insert(row, credentials ?? null);
    this.events.emit('camera.changed', { cameraId: row.id, change: 'created' });
    return created;
  }

  /**
   * A 卡口 device that pushes its passes over GA/T 1400 (source 'gat1400'): known by its national ID, with no
   * stream (stream_url empty), so the relay, the health probe and analytics leave it alone.
   */
  async createPushDevice(input: { name: string; departmentId: string; nationalId: string; category?: CameraCategory; lat?: number | null; lon?: number | null; address?: string | null }): Promise<CameraRow> {
    const now = Date.now();
    const row: NewCameraRow = {
      id: randomUUID(), name: input.name, department_id: input.departmentId, category: input.category ?? 'traffic',
      lat: input.lat ?? null, lon: input.lon ?? null, address: input.address ?? null,
      stream_url: '', sub_stream_url: null, snapshot_url: null, onvif_xaddr: null,
      status: 'unknown', last_seen_at: null, status_changed_at: null, ptz: 0, analytics_enabled: 0,
      source: 'gat1400', national_id: input.nationalId, created_at: now, updated_at: now,
    };
    const created = await this.cameras.insert(row, null);
    this.events.emit('camera.changed', { cameraId: row.id, change: 'created' });
    return created;
  }

  /**
   * Creates or updates the cameras of national channels (GB/T 28181), in the order given: each found by its
   * 20-digit ID, its stream `gb28181://<device>/<channel>` (the relay opens it through the GB live feed, never
   * ffmpeg directly).
   */
  async upsertNationals(inputs: NationalCameraInput[]): Promise<CameraRow[]> {
    // One transaction per slice instead of five statements per channel: a 200-channel NVR registering is
    // one read of its existing cameras and one commit, not a thousand (each a commit on SQLite, a round trip
    // on PostgreSQL). Slices keep the IN lists under every driver's parameter limit and, yielding between them,
    // keep SQLite (synchronous) from holding the event loop through a 10,000-channel catalogue.
    const out: CameraRow[] = [];
    const events: Array<{ cameraId: string; change: 'created' | 'updated' }> = [];
    for (let at = 0; at < inputs.length; at += SLICE) {
      if (at > 0) await new Promise((resolve) => setImmediate(resolve));
      const slice = inputs.slice(at, at + SLICE);
      const departments = new Set((await this.db.selectFrom('departments').select('id').where('id', 'in', [...new Set(slice.map((i) => i.departmentId))]).execute()).map((d) => d.id));
      const now = Date.now();
      const written = await this.cameras.upsertNationalSlice(slice.map((input) => {
        if (!departments.has(input.departmentId)) throw badRequest('DEPARTMENT_UNKNOWN', `department ${input.departmentId} does not exist`);
        const facts = { name: input.name, lat: input.lat, lon: input.lon, address: input.address, ptz: input.ptz ? 1 : 0 };
        return {
          nationalId: input.nationalId, departmentId: input.departmentId, category: input.category, facts,
          insert: {
            id: randomUUID(), department_id: input.departmentId, category: input.category, ...facts,
            stream_url: `gb28181://${input.deviceId}/${input.nationalId}`, sub_stream_url: null, snapshot_url: null, onvif_xaddr: null,
            status: 'unknown', last_seen_at: null, status_changed_at: null, analytics_enabled: 0, source: 'gb28181',
            national_id: input.nationalId, credentials_enc: null, created_at: now, updated_at: now,
          },
        };
      }), now);
      for (const { row, change } of written) {
        out.push(row);
        if (change) events.push({ cameraId: row.id, change });
      }
    }
    // After the commit: listeners read the rows.
    for (const event of events) this.events.emit('camera.changed', event);
    return out;
  }

  async get(id: string): Promise<CameraRow> {
    const row = await this.cameras.find(id);
    if (!row) throw notFound('CAMERA_NOT_FOUND', `camera ${id} does not exist`);
    return row;
  }

  list(filter: { departmentId?: string; category?: CameraCategory; status?: CameraStatus } = {}): Promise<CameraRow[]> {
    return this.cameras.list(filter);
  }

  async update(id: string, patch: Partial<Omit<CameraInput, 'id' | 'departmentId' | 'source'>>): Promise<CameraRow> {
    const current = await this.get(id);
    const changes: CameraChanges = { updated_at: Date.now() };
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.category !== undefined) changes.category = patch.category;
    if (patch.lat !== undefined) changes.lat = patch.lat;
    if (patch.lon !== undefined) changes.lon = patch.lon;
    if (patch.address !== undefined) changes.address = patch.address;
    if (patch.ptz !== undefined) changes.ptz = patch.ptz ? 1 : 0;
    if (patch.analyticsEnabled !== undefined) changes.analytics_enabled = patch.analyticsEnabled ? 1 : 0;
    if (patch.snapshotUrl !== undefined) changes.snapshot_url = optionalHttpUrl(patch.snapshotUrl, 'snapshotUrl');
    if (patch.onvifXaddr !== undefined) changes.onvif_xaddr = optionalHttpUrl(patch.onvifXaddr, 'onvifXaddr');
    if (patch.nationalId !== undefined) changes.national_id = patch.nationalId;
    let credentials = patch.credentials;
    if (patch.streamUrl !== undefined) {
      const main = splitCredentials(patch.streamUrl);
      changes.stream_url = main.url;
      credentials ??= main.credentials;
    }
    if (patch.subStreamUrl !== undefined) changes.sub_stream_url = patch.subStreamUrl ? splitCredentials(patch.subStreamUrl).url : null;
    // Credentials go only to the endpoints they were entered for (security #2): a change that adds an endpoint
    // (another scheme, host or port) drops them unless new ones come with it, so whoever may edit a camera
    // cannot point it at a host of their own and collect the password on the next probe or pull.
    if (credentials === undefined && this.cameras.hasCredentials(current)) {
      const before = credentialEndpoints(current);
      const after = credentialEndpoints({ ...current, ...changes });
      if ([...after].some((endpoint) => !before.has(endpoint))) credentials = null;
    }
    const written = await this.cameras.update(id, changes, credentials);
    this.events.emit('camera.changed', { cameraId: id, change: 'updated' });
    return { ...current, ...written };
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.cameras.delete(id);
    this.events.emit('camera.changed', { cameraId: id, change: 'deleted' });
  }

  /** The URL ffmpeg pulls, credentials included. Never log or return it. */
  async pullUrl(id: string, stream: 'main' | 'sub' = 'main'): Promise<string> {
    const row = await this.get(id);
    if (!row.stream_url) throw new HubError('CAMERA_NO_STREAM', `camera ${id} is a device that pushes its records (${row.source}); it has no stream`, 409);
    const url = stream === 'sub' && row.sub_stream_url ? row.sub_stream_url : row.stream_url;
    const credentials = this.cameras.credentialsOf(row);
    return withCredentials(url, credentials?.username, credentials?.password);
  }

  /** Records a status change (and emits camera.status); a repeat of the same status only updates last_seen_at. */
  async setStatus(id: string, status: CameraStatus, reason?: string, at = Date.now()): Promise<CameraStatus> {
    const previous = await this.cameras.statusOf(id);
    if (!previous) throw notFound('CAMERA_NOT_FOUND', `camera ${id} does not exist`);
    const seen = status === 'online' ? { last_seen_at: at } : {};
    if (previous === status) {
      if (status === 'online') await this.cameras.update(id, seen);
      return previous;
    }
    await this.cameras.update(id, { status, status_changed_at: at, ...seen });
    this.events.emit('camera.status', { cameraId: id, status, previous, at, reason });
    return previous;
  }

  /**
   * Several cameras' statuses in one transaction (a GB/T 28181 device with hundreds of channels going online
   * or offline); resolves with each previous status (undefined for a camera that no longer exists).
   */
  async setStatuses(changes: Array<{ id: string; status: CameraStatus; reason?: string }>, at = Date.now()): Promise<Array<CameraStatus | undefined>> {
    const previous: Array<CameraStatus | undefined> = [];
    const events: Array<{ cameraId: string; status: CameraStatus; previous: CameraStatus; at: number; reason?: string }> = [];
    for (let from = 0; from < changes.length; from += SLICE) {
      if (from > 0) await new Promise((resolve) => setImmediate(resolve));
      const slice = changes.slice(from, from + SLICE);
      const before = await this.cameras.setStatusSlice(slice, at);
      slice.forEach((change, i) => {
        previous.push(before[i]);
        if (before[i] !== undefined && before[i] !== change.status) events.push({ cameraId: change.id, status: change.status, previous: before[i]!, at, reason: change.reason });
      });
    }
    for (const event of events) this.events.emit('camera.status', event);
    return previous;
  }
}
