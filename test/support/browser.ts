import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serveProcess, type ServerProcess } from './process.ts';

export const BROWSER_ADMIN_TOKEN = 'browser-admin-token-0123456789abcdef';
export const BROWSER_PASSWORD = 'browser-password-1';
const SHOTS = path.resolve('test-results/screenshots');

/**
 * A server on a data folder of its own and Debian's Chromium, for the browser tests. Every
 * page it opens records requests that leave the server's origin, so a test can assert there
 * were none.
 */
export class BrowserHarness {
  readonly otherOrigins: string[] = [];

  private constructor(
    readonly server: ServerProcess,
    private readonly browser: Browser,
    private readonly dataDir: string,
  ) {}

  static async start(name: string, env: Record<string, string> = {}): Promise<BrowserHarness> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `modelyard-${name}-`));
    const server = await serveProcess(dataDir, { MODELYARD_INITIAL_ADMIN_TOKEN: BROWSER_ADMIN_TOKEN, MODELYARD_DATA_DIR: path.join(dataDir, 'data'), ...env });
    const browser = await chromium.launch({
      executablePath: process.env.MODELYARD_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    return new BrowserHarness(server, browser, dataDir);
  }

  get base(): string {
    return this.server.base;
  }

  /** The server's data folder (MODELYARD_DATA_DIR), where a first start leaves root's password. */
  get dataFolder(): string {
    return path.join(this.dataDir, 'data');
  }

  async newPage(): Promise<Page> {
    const context = await this.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== this.base && !url.protocol.startsWith('data') && !url.protocol.startsWith('blob')) this.otherOrigins.push(request.url());
    });
    return page;
  }

  async signIn(page: Page, username: string): Promise<void> {
    await page.goto(`${this.base}/`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(BROWSER_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
  }

  /** A full-page screenshot under test-results/screenshots/, for a person to look at. */
  async shot(page: Page, name: string): Promise<void> {
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  async stop(): Promise<void> {
    await this.browser.close();
    await this.server.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Polls a condition from the test side (the page's CSP rightly forbids evaluating strings). */
export async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
