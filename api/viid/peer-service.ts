import type { HubContext } from '../hub/hub-context.ts';
import type { AuthUser } from '../kernel/auth/token-service.ts';
import type { ViidPeerKind } from '../kernel/db/tables/index.ts';
import { badRequest, conflict, notFound } from '../kernel/errors/hub-error.ts';
import { DEVICE_ID } from './objects/viid-ids.ts';
import type { Peer, PeerRepository, RegisterCredentials } from './peer-repository.ts';
import type { PeerSessions } from './peer-sessions.ts';

export interface PeerInput {
  id: string;
  kind: ViidPeerKind;
  name: string;
  departmentId: string;
  password: string;
  devices: string[];
  /** Where we reach a lower platform or device we subscribe to (http(s)://host:port); none for peers that only push. */
  baseUrl?: string | null;
  /** Digest username we register with at this lower 视图库 (default our server ID); only with registerPassword. */
  registerUsername?: string;
  /** Digest password we register with at it before subscribing there; none = it must accept us unregistered. */
  registerPassword?: string;
}

export type PeerPatch = Partial<Pick<PeerInput, 'name' | 'password' | 'devices' | 'baseUrl' | 'registerUsername'>> & {
  disabled?: boolean;
  /** null = we stop registering there. */
  registerPassword?: string | null;
};

/** The register credentials an input sets: undefined = unchanged, null = cleared. */
function registerCredentials(input: { registerUsername?: string; registerPassword?: string | null }): RegisterCredentials | null | undefined {
  if (input.registerPassword === undefined) {
    if (input.registerUsername !== undefined) throw badRequest('VIID_PEER_REGISTER_USERNAME_ALONE', 'registerUsername goes with registerPassword');
    return undefined;
  }
  if (input.registerPassword === null) return null;
  return { username: input.registerUsername ?? null, password: input.registerPassword };
}

/** http(s)://host[:port][/prefix], no credentials, query or fragment; the trailing slash dropped. */
function checkBaseUrl(value: string | null | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badRequest('VIID_PEER_URL_INVALID', 'baseUrl is not a URL');
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw badRequest('VIID_PEER_URL_INVALID', 'baseUrl is http(s)://host:port without credentials, query or fragment (the /VIID paths are added)');
  }
  return url.toString().replace(/\/+$/, '');
}

export interface AdminActor {
  user: AuthUser;
  ip: string;
}

/**
 * The admin side of the peer store: who may register (20-digit ID, digest password, owner department) and
 * the devices (cameras and tollgates by national ID) each may report for. A device reports through one peer,
 * and a camera a listed ID already names must belong to the peer's department. Every change is audited and
 * ends the peer's session, so it registers again under the new settings.
 */
export class PeerService {
  constructor(
    private readonly ctx: HubContext,
    private readonly peers: PeerRepository,
    private readonly sessions: PeerSessions,
    /** A peer disabled, changed or removed: its subscriptions stop (or resume) at once, links to it start over. */
    private readonly changed: (peerId: string) => void = () => {},
  ) {}

  async create(input: PeerInput, actor: AdminActor): Promise<Peer> {
    if (!DEVICE_ID.test(input.id)) throw badRequest('VIID_PEER_ID_INVALID', 'a peer ID is 20 digits');
    const department = await this.ctx.db.selectFrom('departments').select('id').where('id', '=', input.departmentId).executeTakeFirst();
    if (!department) throw badRequest('DEPARTMENT_UNKNOWN', `department ${input.departmentId} does not exist`);
    if (await this.peers.find(input.id)) throw conflict('VIID_PEER_EXISTS', `peer ${input.id} exists`);
    const devices = await this.checkDevices(input.id, input.departmentId, input.devices);
    const baseUrl = checkBaseUrl(input.baseUrl);
    const register = registerCredentials(input) ?? undefined;
    const now = Date.now();
    await this.peers.insert({
      id: input.id, kind: input.kind, name: input.name, department_id: input.departmentId, disabled: 0, status: 'unregistered',
      registered_at: null, registered_from: null, last_seen_at: null, base_url: baseUrl, created_by: actor.user.id, created_at: now, updated_at: now,
    }, input.password, devices, register);
    await this.audit('viid.peer.create', input.id, actor, { kind: input.kind, name: input.name, ownerDepartmentId: input.departmentId, devices, baseUrl, registersDownward: register !== undefined });
    return (await this.peers.find(input.id))!;
  }

  async update(id: string, patch: PeerPatch, actor: AdminActor): Promise<Peer> {
    const current = await this.get(id);
    const devices = patch.devices ? await this.checkDevices(id, current.department_id, patch.devices) : undefined;
    const changes = {
      updated_at: Date.now(), ...(patch.name === undefined ? {} : { name: patch.name }), ...(patch.disabled === undefined ? {} : { disabled: patch.disabled ? 1 : 0 }),
      ...(patch.baseUrl === undefined ? {} : { base_url: checkBaseUrl(patch.baseUrl) }),
    };
    const register = registerCredentials(patch);
    await this.peers.update(id, changes, patch.password, devices, register);
    // Where we reach it and how we register there are not what it registered under: they alone keep its session.
    const { baseUrl: _whereWeReachIt, registerUsername: _ourName, registerPassword: _ourPassword, ...registrationChanges } = patch;
    if (Object.values(registrationChanges).some((v) => v !== undefined)) await this.sessions.revoke(id);
    this.changed(id);
    await this.audit('viid.peer.update', id, actor, {
      name: patch.name, disabled: patch.disabled, passwordChanged: patch.password !== undefined, devices, baseUrl: patch.baseUrl,
      registerCredentials: register === undefined ? undefined : register === null ? 'cleared' : 'set',
    });
    return (await this.peers.find(id))!;
  }

  async remove(id: string, actor: AdminActor): Promise<void> {
    const current = await this.get(id);
    await this.sessions.revoke(id);
    await this.peers.delete(id);
    this.changed(id);
    await this.audit('viid.peer.delete', id, actor, { kind: current.kind, name: current.name });
  }

  async get(id: string): Promise<Peer> {
    const peer = await this.peers.find(id);
    if (!peer) throw notFound('VIID_PEER_NOT_FOUND', `peer ${id} does not exist`);
    return peer;
  }

  private async checkDevices(peerId: string, departmentId: string, devices: string[]): Promise<string[]> {
    const unique = [...new Set(devices)];
    const invalid = unique.filter((d) => !DEVICE_ID.test(d));
    if (invalid.length) throw badRequest('VIID_DEVICE_ID_INVALID', `device IDs are 20 digits: ${invalid.slice(0, 5).join(', ')}`);
    const claimed = await this.peers.claimedElsewhere(peerId, unique);
    if (claimed.length) throw conflict('VIID_DEVICE_CLAIMED', `already reported through another peer: ${claimed.slice(0, 5).map((c) => `${c.national_id} (${c.peer_id})`).join(', ')}`);
    const cameras = await this.ctx.cameras.byNationalIds(unique);
    const foreign = [...cameras].filter(([, camera]) => camera.department_id !== departmentId).map(([nationalId]) => nationalId);
    if (foreign.length) throw conflict('VIID_DEVICE_OTHER_DEPARTMENT', `cameras of another department: ${foreign.slice(0, 5).join(', ')}`);
    return unique;
  }

  private async audit(action: string, peerId: string, actor: AdminActor, details: Record<string, unknown>): Promise<void> {
    await this.ctx.audit.append({
      action, userId: actor.user.id, username: actor.user.username, departmentId: actor.user.departmentId,
      targetType: 'viid_peer', targetId: peerId, clientIp: actor.ip, details,
    });
  }
}
