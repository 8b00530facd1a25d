import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { skipPostgres } from '../helpers/pg-url.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, loginOnPage } from '../player/browser-session.ts';
import { startSimCameras, until } from '../relay/relay-fixtures.ts';
import { HubCluster } from './hub-cluster.ts';
import { LoopbackBalancer } from './loopback-balancer.ts';

/** Play sessions started (audited) since `since`, with the node-independent session ids. */
async function playStarts(databaseUrl: string, cameraId: string, since: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = await client.query<{ details: string }>("select details from audit_events where action = 'play.start' and target_id = $1 and at >= $2", [cameraId, since]);
    return rows.rows.map((r) => (JSON.parse(r.details) as { sessionId: string }).sessionId);
  } finally {
    await client.end();
  }
}

/**
 * The player in Chromium behind a balancer in front of two hub nodes: its session lives on the first node;
 * kill -9 of that node; the player finds its session gone (renew: PLAY_SESSION_NOT_FOUND through the other
 * node) and starts a new one by itself, and frames advance again, served by the surviving node.
 */
describe.skipIf(skipPostgres)('hub cluster: the player resumes through another node', () => {
  let cluster: HubCluster | undefined;
  let rtsp: RtspServerHandle | undefined;
  let balancer: LoopbackBalancer | undefined;
  let browser: BrowserContext | undefined;
  let userDataDir: string | undefined;
  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await balancer?.stop();
    await cluster?.stop();
    await rtsp?.stop();
  });

  it('kill -9 of the viewer\'s node: the live page plays again on its own', async () => {
    rtsp = await startSimCameras(['/gate']);
    cluster = await HubCluster.start(2, { HUB_INGEST_HEALTH_INTERVAL_MS: '3600000', HUB_RELAY_IDLE_STOP_SECONDS: '3', HUB_RELAY_VIEWER_IDLE_SECONDS: '10' });
    const [a, b] = cluster.members;
    const dept = await a!.process.api(a!.token, '/api/v1/departments', { name: 'Traffic Police', kind: 'traffic', isGovernment: true });
    const camera = (await a!.process.api(a!.token, '/api/v1/cameras', { name: 'gate', departmentId: dept.body.id, category: 'traffic', streamUrl: rtsp.urlFor('/gate') })).body.id as string;
    balancer = await LoopbackBalancer.start(() => cluster!.members.map((m) => m.url));

    userDataDir = mkdtempSync(join(tmpdir(), 'hub-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
    await browser.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
    const page = await browser.newPage();
    await loginOnPage(page, balancer.url, 'admin');
    const startedAt = Date.now();
    await page.goto(`${balancer.url}/player/#/live/${camera}`);
    const advancing = async (timeout: number) => {
      const t0 = await page.waitForFunction(() => {
        const v = document.querySelector<HTMLVideoElement>('[data-testid=live-video]');
        return v && v.currentTime > 0.5 ? v.currentTime : false;
      }, null, { timeout, polling: 250 }).then((h) => h.jsonValue() as Promise<number>);
      await page.waitForFunction((t0) => (document.querySelector<HTMLVideoElement>('[data-testid=live-video]')?.currentTime ?? 0) > t0 + 1, t0, { timeout, polling: 250 });
    };
    await advancing(45_000);
    const first = await playStarts(cluster.database.url, camera, startedAt);
    expect(first).toHaveLength(1);

    // The session lives on the first node (the balancer's first choice): it dies with its children.
    const killedAt = Date.now();
    await cluster.crash(a!);
    // The player starts a new session through the balancer, now on the second node, and frames move again.
    await until('a new play session after the kill', async () => (await playStarts(cluster!.database.url, camera, killedAt)).length > 0, 60_000, 500);
    const resumedAt = Date.now();
    await page.waitForFunction(() => document.querySelector('[data-testid=play-status]')?.getAttribute('data-state') === 'playing', null, { timeout: 45_000, polling: 250 });
    const before = await page.evaluate(() => document.querySelector<HTMLVideoElement>('[data-testid=live-video]')!.currentTime);
    await page.waitForFunction((t0) => (document.querySelector<HTMLVideoElement>('[data-testid=live-video]')?.currentTime ?? 0) > t0 + 1, before, { timeout: 30_000, polling: 250 });
    // The second node pulls the camera now.
    expect((await cluster.pulls()).get(b!.id)).toEqual([camera]);
    console.log(`player resumed: new session ${((resumedAt - killedAt) / 1_000).toFixed(1)} s after the kill`);
  }, 240_000);
});
