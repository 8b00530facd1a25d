import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TEST_PASSWORD } from '../helpers/test-hub.ts';

/** Debian's Chromium, headless, with nothing reaching out to the (closed) network on its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--lang=zh-CN', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The two screens the console is checked at: an office desktop and a phone. */
export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

/** One browser context per person (separate storage); loopback only. Desktop-sized unless told. */
export async function personContext(browser: Browser, viewport: { width: number; height: number } = DESKTOP): Promise<BrowserContext> {
  // A Chinese browser (date inputs, navigator.language) as the console's users have.
  const context = await browser.newContext({ viewport, locale: 'zh-CN', acceptDownloads: true, ...(viewport.width < 600 ? { isMobile: true, hasTouch: true } : {}) });
  await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
  return context;
}

/** Logs a test user in through the player's login page; resolves once the page shows who is logged in. */
export async function loginOnPage(page: Page, url: string, username: string): Promise<Page> {
  await page.goto(`${url}/player/#/login`);
  // By field name, not label: the labels are Chinese by default and English after the switch.
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(TEST_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('who').waitFor({ timeout: 15_000 });
  return page;
}

/** A new page in the person's context, logged in. */
export async function login(context: BrowserContext, url: string, username: string): Promise<Page> {
  return loginOnPage(await context.newPage(), url, username);
}
