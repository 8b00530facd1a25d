import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TEST_PASSWORD } from '../helpers/test-hub.ts';

/** Debian's Chromium, headless, with nothing reaching out to the (closed) network on its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** One browser context per person (separate storage); loopback only. */
export async function personContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
  return context;
}

/** Logs a test user in through the player's login page; resolves once the page shows who is logged in. */
export async function loginOnPage(page: Page, url: string, username: string): Promise<Page> {
  await page.goto(`${url}/player/#/login`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('who').waitFor({ timeout: 15_000 });
  return page;
}

/** A new page in the person's context, logged in. */
export async function login(context: BrowserContext, url: string, username: string): Promise<Page> {
  return loginOnPage(await context.newPage(), url, username);
}
