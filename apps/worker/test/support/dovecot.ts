import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

/**
 * A private Dovecot IMAP server for integration tests: its own config, users, maildirs, sockets
 * and log in a temp dir, listening on 127.0.0.1 on a free port, plaintext (no TLS). Started as a
 * child process in the foreground (`dovecot -F`), so stopping it is one SIGTERM.
 */
export const DOVECOT_BIN = process.env.DOVECOT_BIN ?? '/usr/sbin/dovecot';

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  version: string;
  dir: string;
  /** A connected, authenticated client for the test user (close it with `logout`). */
  client(): Promise<ImapFlow>;
  /** The server's log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface DovecotOptions {
  user?: string;
  password?: string;
  /** Replaces the post-login CAPABILITY list (Dovecot's imap_capability), e.g. to hide IDLE. */
  capabilities?: string;
}

export async function startDovecot(opts: DovecotOptions = {}): Promise<Dovecot> {
  if (!existsSync(DOVECOT_BIN)) {
    throw new Error(
      `${DOVECOT_BIN} not found: the IMAP integration tests need a real Dovecot. ` +
        `Install the Debian package "dovecot-imapd" (apt-get install -y dovecot-imapd; .ci/run installs it when missing).`,
    );
  }
  const version = dovecotVersion();
  const user = opts.user ?? 'desk';
  const password = opts.password ?? 'imap-test-password';
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'desk-dovecot-'));
  // dovecot's unprivileged processes (login, imap as mail_uid) must traverse the dir
  chmodSync(dir, 0o755);

  const asRoot = process.getuid?.() === 0;
  // As root, dovecot drops to the package's own users; otherwise everything runs as the current user.
  const internalUser = asRoot ? 'dovecot' : userInfo().username;
  const loginUser = asRoot ? 'dovenull' : userInfo().username;
  const mailOwner = asRoot ? idOf('dovecot') : { uid: userInfo().uid, gid: userInfo().gid };

  const mailDir = join(dir, 'mail');
  mkdirSync(mailDir);
  if (asRoot) chownSync(mailDir, mailOwner.uid, mailOwner.gid);
  const passwdFile = join(dir, 'passwd');
  writeFileSync(passwdFile, `${user}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
  const logFile = join(dir, 'dovecot.log');
  const [major = 2, minor = 3] = version.split('.').map((p) => parseInt(p, 10));
  // 2.3 spells it disable_plaintext_auth; 2.4 renamed it auth_allow_cleartext (and changed much else)
  const cleartext = major > 2 || (major === 2 && minor >= 4) ? 'auth_allow_cleartext = yes' : 'disable_plaintext_auth = no';

  const conf = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${logFile}
info_log_path = ${logFile}
protocols = imap
listen = 127.0.0.1
ssl = no
${cleartext}
auth_mechanisms = plain login
# tests log in with a wrong password on purpose: no 2-second penalty
auth_failure_delay = 0
default_internal_user = ${internalUser}
default_internal_group = ${asRoot ? 'dovecot' : userInfo().username}
default_login_user = ${loginUser}
first_valid_uid = ${mailOwner.uid}
mail_uid = ${mailOwner.uid}
mail_gid = ${mailOwner.gid}
mail_location = maildir:${mailDir}/%u
${opts.capabilities ? `imap_capability = ${opts.capabilities}` : ''}
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwdFile}
}
userdb {
  driver = static
  args = uid=${mailOwner.uid} gid=${mailOwner.gid} home=${mailDir}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
  const confFile = join(dir, 'dovecot.conf');
  writeFileSync(confFile, conf);

  const child = spawn(DOVECOT_BIN, ['-F', '-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') + output;

  try {
    await waitForPort(port, child, 15_000);
  } catch (e) {
    await stopChild(child);
    const log = readLog();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`dovecot did not start: ${(e as Error).message}\n${log}`);
  }

  const self: Dovecot = {
    host: '127.0.0.1',
    port,
    user,
    password,
    version,
    dir,
    async client() {
      const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false, disableAutoIdle: true });
      c.on('error', () => undefined);
      await c.connect();
      return c;
    },
    log: readLog,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** Delivers a message the simplest way: IMAP APPEND into the mailbox (created when missing). */
export async function appendMessages(d: Dovecot, mailbox: string, messages: Array<string | Buffer>): Promise<number[]> {
  const c = await d.client();
  try {
    if (mailbox !== 'INBOX') await c.mailboxCreate(mailbox).catch(() => undefined);
    const uids: number[] = [];
    for (const m of messages) {
      const r = await c.append(mailbox, m);
      if (!r || r.uid === undefined) throw new Error('APPEND returned no UID (no UIDPLUS?)');
      uids.push(r.uid);
    }
    return uids;
  } finally {
    await c.logout().catch(() => c.close());
  }
}

export function testMail(n: number | string, extraHeaders = ''): string {
  return [
    `From: Customer ${n} <customer${n}@example.com>`,
    `To: support@desk.test`,
    `Subject: Question ${n}`,
    `Message-ID: <imap-${n}-${process.pid}-${Date.now()}@example.com>`,
    `Date: ${new Date().toUTCString()}`,
    ...(extraHeaders ? [extraHeaders] : []),
    `Content-Type: text/plain; charset=utf-8`,
    ``,
    `Hello, this is message ${n}.`,
    ``,
  ].join('\r\n');
}

function dovecotVersion(): string {
  const r = spawnSync(DOVECOT_BIN, ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${DOVECOT_BIN} --version failed: ${r.stderr || r.error?.message}`);
  return r.stdout.trim().split(/\s+/)[0] ?? 'unknown';
}

function idOf(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error(`user ${name} not found (the dovecot-core package creates it)`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** A TCP port on 127.0.0.1 that nothing listens on at the moment of the call. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dovecot exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('data', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
      sock.setTimeout(1000, () => {
        sock.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} did not answer within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
