import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceCode, TYPE_TOLLGATE_DEVICE, TYPE_VIID_PLATFORM } from '../../devtools/sim/gat1400/viid-codes.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { allowPeer, FAST_DELIVERY, PEER_PASSWORD } from './viid-fixtures.ts';

// `npm run sim:gat1400` as an operator runs it: two devices and a subscribing platform against a real hub.
let t: TestHub;
const ROOT = resolve(import.meta.dirname, '../..');
const platformId = deviceCode('65010000', TYPE_VIID_PLATFORM, 3);

beforeAll(async () => {
  t = await startTestHub('sqlite', { overrides: FAST_DELIVERY });
  for (const serial of [1, 2]) await allowPeer(t, { id: deviceCode('65010000', TYPE_TOLLGATE_DEVICE, serial), kind: 'device', departmentId: t.departments.traffic });
  await allowPeer(t, { id: platformId, kind: 'platform', departmentId: t.departments.traffic });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

it('registers, pushes at the given rate, receives its notifications and stops cleanly', async () => {
  const args = ['--import', 'tsx', 'devtools/sim/gat1400/sim-gat1400.ts', '--url', t.url, '--devices', '2', '--rate', '4',
    '--password', PEER_PASSWORD, '--platform', platformId, '--seconds', '6'];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  expect(code, out).toBe(0);
  expect(out.match(/^device \d{20} registered$/gm)).toHaveLength(2);
  expect(out).toMatch(new RegExp(`^platform ${platformId} subscribed \\d{33} → 200`, 'm'));
  expect(out).toMatch(/^notification \d{33} \(\d{33}\): \d+ vehicles, answered StatusCode 0$/m);
  const [, pushed, accepted, refused] = /^stopped: pushed=(\d+) accepted=(\d+) refused=(\d+)$/m.exec(out) ?? [];
  expect(Number(pushed)).toBeGreaterThan(4);
  expect([Number(accepted), Number(refused)]).toEqual([Number(pushed), 0]);
  const peers = (await t.api('/api/v1/viid/peers', { user: t.users.admin })).body;
  expect(peers.map((p: any) => p.status)).toEqual(['unregistered', 'unregistered', 'unregistered']);
}, 90_000);
