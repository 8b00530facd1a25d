import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginFrom, type LoginResult } from '../helpers/login-from.ts';
import { startTestHub, TEST_PASSWORD, type TestHub } from '../helpers/test-hub.ts';
import { recordFault } from './fault-table.ts';

const TRIES = 40;
const SPRAYER = '127.0.0.131';
const GUESSER = '127.0.0.132';
const OWNER_USUAL = '127.0.0.133';
const OWNER_NEW = '127.0.0.134';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const allowed = (results: LoginResult[]) => results.filter((r) => r.status === 401).length;
const refused = (results: LoginResult[]) => results.filter((r) => r.status === 429 && r.code === 'LOGIN_THROTTLED').length;

/**
 * Issue 13 #5 as a fault, with the default throttle: one address sprays wrong passwords across many
 * accounts (the real ones and made-up ones), another guesses `admin`'s password, 40 tries each, back to
 * back. Allowed tries are the ones whose password was checked (401); refused ones are 429 LOGIN_THROTTLED. The
 * expected figure is the throttle's budget: loginMaxFailures for the sprayer's address, and for admin's
 * account the same less the spray's allowed try at admin.
 * Meanwhile admin logs in from the address it always uses, and from a new one; then each attacker waits the
 * Retry-After it was given and is let through again (the time to its next allowed try).
 */
describe('login guessing', () => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub('sqlite', { features: ['auth', 'directory', 'audit'] }); });
  afterAll(async () => { await t?.stop(); });

  it('lets each attacker try loginMaxFailures times, then backs off; the owner still logs in from its usual address', async () => {
    const { loginMaxFailures, loginBackoffSeconds } = t.hub.ctx.config.auth;
    expect((await loginFrom(t, OWNER_USUAL, 'admin', TEST_PASSWORD)).status).toBe(200);
    const accounts = [...Object.keys(t.users), ...Array.from({ length: TRIES }, (_, i) => `officer${i}`)].slice(0, TRIES);
    const spray: LoginResult[] = [];
    for (const [i, account] of accounts.entries()) spray.push(await loginFrom(t, SPRAYER, account, `Spring2026!${i}`));
    const guess: LoginResult[] = [];
    for (let i = 0; i < TRIES; i++) guess.push(await loginFrom(t, GUESSER, 'admin', `admin${i}`));
    // The spray's allowed try at admin (if any) counts against admin's own counter too: the guesser gets that much less.
    const adminSprayed = spray[accounts.indexOf('admin')]?.status === 401 ? 1 : 0;
    const budget = loginMaxFailures + (loginMaxFailures - adminSprayed);
    const ownerUsual = await loginFrom(t, OWNER_USUAL, 'admin', TEST_PASSWORD);
    const ownerNew = await loginFrom(t, OWNER_NEW, 'admin', TEST_PASSWORD);
    const sprayWait = spray.at(-1)!.retryAfter;
    const guessWait = guess.at(-1)!.retryAfter;
    const waited = Date.now();
    await sleep(Math.max(sprayWait, guessWait) * 1000 + 100);
    const sprayAgain = await loginFrom(t, SPRAYER, 'officer-late', 'Spring2026!late');
    const guessAgain = await loginFrom(t, GUESSER, 'admin', 'admin-late');
    const recovery = (Date.now() - waited) / 1000;
    recordFault({
      fault: `login guessing: ${TRIES} sprayed over ${TRIES} accounts from one address, ${TRIES} at admin from another, back to back`,
      expected: budget, found: allowed(spray) + allowed(guess), duplicates: 0, recoverySeconds: recovery,
      note: `sqlite; loginMaxFailures ${loginMaxFailures}, admin sprayed ${adminSprayed}x; spray allowed ${allowed(spray)} refused ${refused(spray)}, guess allowed ${allowed(guess)} refused ${refused(guess)}; `
        + `next allowed try after ${sprayWait} s / ${guessWait} s (Retry-After, then allowed: ${sprayAgain.status}/${guessAgain.status}); `
        + `admin from its usual address ${ownerUsual.status}, from a new address ${ownerNew.status}${ownerNew.status === 429 ? ` (wait ${ownerNew.retryAfter} s)` : ''}`,
    });
    expect(allowed(spray)).toBe(loginMaxFailures);
    expect(allowed(guess)).toBe(loginMaxFailures - adminSprayed);
    expect(refused(spray) + refused(guess)).toBe(2 * TRIES - budget);
    expect(ownerUsual.status).toBe(200);
    expect(ownerNew.retryAfter).toBeLessThanOrEqual(loginBackoffSeconds);
    expect(sprayWait).toBeLessThanOrEqual(loginBackoffSeconds);
    expect([sprayAgain.status, guessAgain.status]).toEqual([401, 401]);
  });
});
