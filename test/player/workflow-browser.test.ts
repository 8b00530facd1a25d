import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, login, personContext } from './browser-session.ts';
import { addCamera, FAST_RELAY, startSimCameras } from '../relay/relay-fixtures.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'workflow');

const currentTime = (page: Page) => page.getByTestId('live-video').evaluate((v) => (v as HTMLVideoElement).currentTime);

describeEachDatabase('permission workflow in headless Chromium', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let browser: Browser;
  let cameraId: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    rtsp = await startSimCameras(['/gate']);
    t = await startTestHub(kind, { overrides: { relay: { ...FAST_RELAY.relay, viewerIdleSeconds: 10 } } });
    cameraId = await addCamera(t, rtsp.urlFor('/gate'), 'Bureau gate');
    // launch() runs Chromium on a fresh temporary profile, removed on close.
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await rtsp?.stop();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${kind}-${name}.png`), fullPage: true });

  it('request → approve → watch → revoke stops the player within 5 s → audit shows it all', async () => {

    // Department A (traffic) asks for live access to a public-security camera through the UI.
    const a = await login(await personContext(browser), t.url, 'trafficViewer');
    expect(await a.getByTestId('nav-approvals').count()).toBe(0); // viewers get no approvals link
    expect(await a.getByTestId('nav-audit').count()).toBe(0);
    await a.goto(`${t.url}/player/#/cameras`);
    await a.locator(`[data-camera-id="${cameraId}"]`).getByTestId('request-access').click();
    await a.getByTestId('purpose').fill('Follow a hit-and-run suspect vehicle past the bureau gate');
    await a.getByTestId('legal-basis').fill('Road Traffic Safety Law art. 72');
    await a.getByRole('button', { name: '提交申请' }).click();
    await expect.poll(() => a.getByTestId('request-result').textContent(), { timeout: 10_000 }).toContain('申请已提交');
    await a.goto(`${t.url}/player/#/requests`);
    const mine = a.getByTestId('request-row');
    await mine.first().waitFor({ timeout: 10_000 });
    expect(await mine.getByTestId('state').getAttribute('data-state')).toBe('pending');
    expect(await mine.getByTestId('state').textContent()).toBe('待审批');
    expect(await mine.getByTestId('request-cameras').textContent()).toBe('Bureau gate'); // the camera's name, not its id
    await shot(a, '1-my-requests-pending');

    // Department B's approver approves it in a second browser context.
    const b = await login(await personContext(browser), t.url, 'psApprover');
    await b.getByTestId('nav-approvals').click();
    const pending = b.getByTestId('pending-request');
    await pending.first().waitFor({ timeout: 10_000 });
    expect(await pending.count()).toBe(1);
    expect(await pending.textContent()).toContain('Traffic Police 申请访问：Bureau gate');
    expect(await pending.getByTestId('request-age').textContent()).toMatch(/^已等待 \d+ 分钟 · 申请于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // Rejecting without a reason is refused in the form; nothing is decided.
    await pending.getByTestId('reject').click();
    await expect.poll(() => pending.getByTestId('decision-result').textContent()).toContain('驳回须填写理由');
    await shot(b, '2-approvals');
    await pending.getByTestId('approve').click();
    await expect.poll(() => b.getByTestId('decision-result').first().textContent(), { timeout: 10_000 }).toContain('已批准');

    // A sees the approval and plays the camera: frames advance.
    await a.reload();
    await expect.poll(() => a.getByTestId('request-row').getByTestId('state').getAttribute('data-state'), { timeout: 10_000 }).toBe('approved');
    expect(await a.getByTestId('request-row').getByTestId('state').textContent()).toBe('已批准');
    await a.goto(`${t.url}/player/#/live/${cameraId}`);
    await a.waitForFunction(() => (document.querySelector('[data-testid=live-video]') as HTMLVideoElement | null)?.currentTime! > 0.5, null, { timeout: 30_000, polling: 200 });
    const playing = await currentTime(a);
    await a.waitForFunction((from) => (document.querySelector('[data-testid=live-video]') as HTMLVideoElement).currentTime > from + 0.5, playing, { timeout: 20_000, polling: 200 });
    expect(await a.locator('[data-access-watch=grant]').count()).toBe(1);
    await shot(a, '3-playing');

    // B revokes the grant in the UI; A's player stops within 5 s and says why.
    await b.getByTestId('nav-grants').click();
    const given = b.getByTestId('grants-owner').getByTestId('grant-row');
    await given.first().waitFor({ timeout: 10_000 });
    expect(await given.getByTestId('state').first().textContent()).toBe('生效中');
    await given.getByTestId('revoke-reason').fill('Investigation closed');
    await given.getByTestId('revoke').click();
    const ended = a.getByTestId('access-ended');
    await ended.waitFor({ timeout: 5_000 });
    expect(await ended.textContent()).toContain('权限已被撤销');
    expect(await ended.getByTestId('request-access').getAttribute('href')).toBe(`#/request/${encodeURIComponent(cameraId)}`);
    expect(await a.getByTestId('play-status').textContent()).toBe('已停止：权限被撤销');
    const frozen = await currentTime(a);
    await a.waitForTimeout(1_500);
    expect(await currentTime(a)).toBe(frozen);
    await shot(a, '4-revoked');
    await expect.poll(() => b.getByTestId('grant-action-result').first().textContent()).toContain('已撤销');
    // The relay agrees: the session is gone and new plays are refused.
    expect((await t.api(`/api/v1/cameras/${cameraId}/play`, { user: t.users.trafficViewer, body: {} })).status).toBe(403);

    // The auditor finds request, approval, play start, revocation and play stop.
    const auditor = await login(await personContext(browser), t.url, 'auditor');
    await auditor.getByTestId('nav-audit').click();
    await auditor.getByTestId('audit-table').waitFor({ timeout: 10_000 });
    const actions = async () => auditor.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.action));
    // play.stop is written when the relay ends the session; search again until it is there.
    await expect.poll(async () => {
      await auditor.getByTestId('audit-search-button').click();
      await auditor.waitForTimeout(300);
      return actions();
    }, { timeout: 10_000 }).toEqual(expect.arrayContaining(['access.request', 'access.approve', 'play.start', 'access.revoke', 'play.stop']));
    const found = await actions();
    expect(found.indexOf('play.stop')).toBeLessThan(found.indexOf('play.start')); // newest first
    await shot(auditor, '5-audit');

    // Who watched the camera: trafficViewer, with a recorded stop.
    await auditor.getByTestId('viewers-camera').selectOption(cameraId);
    await auditor.getByTestId('viewers-search').click();
    const viewer = auditor.getByTestId('viewer-row');
    await viewer.first().waitFor({ timeout: 10_000 });
    expect(await viewer.first().textContent()).toContain('trafficViewer');
    expect(await viewer.first().textContent()).not.toContain('未记录结束');

    // CSV export of the access actions downloads a file with the revocation in it.
    await auditor.getByTestId('audit-action').fill('access.*');
    const [download] = await Promise.all([auditor.waitForEvent('download', { timeout: 10_000 }), auditor.getByTestId('audit-export').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('access.revoke');
    expect(csv).toContain('Investigation closed');
    expect(csv).not.toContain('play.start');
    // People's columns: China time, user and department names, the camera by name (ids kept further right).
    const revokeLine = csv.split('\r\n').find((line) => line.includes('access.revoke'))!;
    expect(revokeLine).toMatch(/^\d+,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},psApprover,Public Security Bureau,access\.revoke,grant,/);

    // The dashboard shows the figures with charts; the approver sees no grants active any more.
    await b.getByTestId('nav-dashboard').click();
    await b.getByTestId('figure-grants').waitFor({ timeout: 10_000 });
    expect(await b.getByTestId('figure-grants').locator('strong').textContent()).toBe('0');
    expect(await b.getByTestId('figure-views').locator('strong').textContent()).toBe('1');
    expect(await b.locator('figure.ring svg').count()).toBe(3);
    await shot(b, '6-dashboard');
  });

  it('a session cut without any event (grant revoked in the database): the stalled player re-checks and stops', async () => {
    // Request and approval through the API: this case is about the player's fallback, not the forms.
    const asked = await t.api('/api/v1/access/requests', {
      user: t.users.trafficViewer,
      body: { ownerDepartmentId: t.departments.ps, targetKind: 'cameras', cameraIds: [cameraId], scopes: ['live'], purpose: 'second look', legalBasis: 'case 2', endsAt: Date.now() + 3_600_000 },
    });
    expect(asked.status).toBe(201);
    const approved = await t.api(`/api/v1/access/requests/${asked.body.id}/approve`, { user: t.users.psApprover, body: {} });
    expect(approved.status).toBe(200);
    const a = await login(await personContext(browser), t.url, 'trafficViewer');
    await a.goto(`${t.url}/player/#/live/${cameraId}`);
    await a.waitForFunction(() => (document.querySelector('[data-testid=live-video]') as HTMLVideoElement | null)?.currentTime! > 0.5, null, { timeout: 30_000, polling: 200 });

    // No grant.revoked event, so no grant.ended on the stream: the relay's own re-check (every 3 s) cuts the
    // FLV connection, the picture stalls, and the player asks for the grant's state.
    await t.hub.ctx.db.updateTable('grants').set({ revoked_at: Date.now(), revoke_reason: 'revoked behind the hub' }).where('id', '=', approved.body.grant.id).execute();
    const ended = a.getByTestId('access-ended');
    await ended.waitFor({ timeout: 12_000 });
    expect(await ended.getAttribute('data-reason')).toBe('revoked');
    const frozen = await currentTime(a);
    await a.waitForTimeout(1_500);
    expect(await currentTime(a)).toBe(frozen);
    await shot(a, '7-revoked-without-event');
    await a.context().close();
  });
});
