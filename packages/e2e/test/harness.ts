import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { createApp } from '@desk/api';
import { createWorker } from '@desk/worker';
import { Factories, createTestEnv, type TestEnv, CaptureRelay } from '@desk/testing';
import type { Agent } from '@desk/core';

export const CONSOLE_DIST = resolve(__dirname, '../../../apps/console/dist');
export const ARTIFACTS = resolve(__dirname, '../test-artifacts');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Api = Awaited<ReturnType<typeof createApp>>;
type WorkerContext = Awaited<ReturnType<typeof createWorker>>;

export interface Desk {
  env: TestEnv;
  api: Api;
  worker: WorkerContext;
  ds: DataSource;
  f: Factories;
  relay: CaptureRelay;
  baseUrl: string;
  smtpPort: number;
  browser: Browser;
  /** A fresh browser context (own cookies) with one page. */
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  /** Logs in through the login form. */
  loginUi(page: Page, agent: Agent, password?: string): Promise<void>;
  screenshot(page: Page, name: string): Promise<void>;
  sendMail(o: { from: string; to: string; subject: string; text: string; messageId?: string; inReplyTo?: string }): Promise<void>;
  close(): Promise<void>;
}

/** The real api (serving the built console), the real worker with its SMTP listener, a capturing relay and Chromium. */
export async function startDesk(): Promise<Desk> {
  const relay = await new CaptureRelay().start();
  const smtpPort = await freePort();
  const env = await createTestEnv({
    SMTP_ENABLED: 'true',
    SMTP_LISTEN_HOST: '127.0.0.1',
    SMTP_LISTEN_PORT: String(smtpPort),
    SMTP_RELAY_URL: relay.url,
    CONSOLE_DIST,
  });
  const api = await createApp(env.config, { logger: false });
  await api.listen(0, '127.0.0.1');
  const baseUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1');
  const worker = await createWorker(env.config, { logger: false });
  const ds = api.get(DataSource);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  const contexts: BrowserContext[] = [];
  return {
    env,
    api,
    worker,
    ds,
    f: new Factories(ds),
    relay,
    baseUrl,
    smtpPort,
    browser,
    async newPage() {
      const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1400, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      return { context, page };
    },
    async loginUi(page, agent, password = Factories.PASSWORD) {
      await page.goto('/login');
      await page.getByTestId('login-form').waitFor();
      await page.getByTestId('login-email').fill(agent.email);
      await page.getByTestId('login-password').fill(password);
      await page.getByTestId('login-submit').click();
      await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    async sendMail(o) {
      const t = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true, connectionTimeout: 5000, socketTimeout: 15000 });
      try {
        await t.sendMail({ ...o, headers: o.inReplyTo ? { 'In-Reply-To': `<${o.inReplyTo}>`, References: `<${o.inReplyTo}>` } : undefined, messageId: o.messageId ? `<${o.messageId}>` : undefined });
      } finally {
        t.close();
      }
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await worker.close().catch(() => undefined);
      await api.close().catch(() => undefined);
      await env.cleanup();
      await relay.stop();
    },
  };
}

/** True when an element with this data-testid shows up within a short time (the feature is there). */
export async function present(page: Page, testId: string, timeoutMs = 3000): Promise<boolean> {
  try {
    await page.getByTestId(testId).first().waitFor({ state: 'visible', timeout: timeoutMs });
    return true;
  } catch {
    return false;
  }
}

/** Which path each scenario took (UI or API fallback); printed at the end and written to test-artifacts/paths.json. */
export const paths: Record<string, string> = {};
