import { connect, type Socket } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import httpProxyClient from 'nodemailer/lib/smtp-connection/http-proxy-client';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { SendErrorClass } from '../adapter';

export interface SendEmailResult {
  /** The Message-ID the message was sent with (ours, as composed). */
  providerMessageId: string | null;
  accepted: string[];
  rejected: string[];
  /** The last SMTP response line, e.g. `250 2.0.0 Ok: queued as ABC`. */
  response: string | null;
}

/** Anything that can send: a nodemailer Transporter or a test double with the same method. */
export interface MailSender {
  sendMail(mail: Mail.Options): Promise<unknown>;
}

type TransportInput = MailSender | SMTPTransport.Options | string;

function isSender(t: TransportInput): t is MailSender {
  return typeof t === 'object' && t !== null && typeof (t as Partial<MailSender>).sendMail === 'function';
}

function addressList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((v) => (typeof v === 'string' ? v : typeof v === 'object' && v && 'address' in v ? String((v as { address: unknown }).address) : ''))
    .filter((v) => v !== '');
}

/** nodemailer's own connect timeout (its `connectionTimeout` default). */
const CONNECT_TIMEOUT_MS = 2 * 60 * 1000;

/**
 * Opens the relay connection with TCP_NODELAY. nodemailer leaves Nagle's algorithm on, so the
 * end of a message (".") waits until the relay has acknowledged the body, and relays delay that
 * acknowledgement (~40 ms on Linux): measured on one pooled connection, 45 ms a mail instead of
 * 5, so a worker sent ~25 acknowledgements a second. TLS (implicit or STARTTLS) still runs on top:
 * nodemailer upgrades a given connection itself.
 */
function noDelaySocket(
  options: { host?: string; port?: number; secure?: boolean; localAddress?: string; connectionTimeout?: number },
  callback: (err: Error | null, socketOptions?: { connection: Socket }) => void,
): void {
  const socket = connect({ host: options.host ?? 'localhost', port: Number(options.port) || (options.secure ? 465 : 587), localAddress: options.localAddress, noDelay: true });
  const timer = setTimeout(
    () => socket.destroy(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })),
    options.connectionTimeout ?? CONNECT_TIMEOUT_MS,
  );
  const failed = (e: Error) => {
    clearTimeout(timer);
    callback(e);
  };
  socket.once('error', failed);
  socket.once('connect', () => {
    clearTimeout(timer);
    socket.removeListener('error', failed);
    callback(null, { connection: socket });
  });
}

/**
 * nodemailer's own HTTP CONNECT client (the one its `proxy` option uses), with Nagle's algorithm
 * turned off on the tunnel, for the reason noDelaySocket gives.
 */
function noDelayProxySocket(
  proxy: { href: string },
  options: { host: string; port: number },
  callback: (err: Error | null, socketOptions?: { connection: Socket }) => void,
): void {
  httpProxyClient(proxy.href, options.port, options.host, (err, socket) => {
    if (err) return callback(err);
    socket.setNoDelay(true);
    callback(null, { connection: socket });
  });
}

/**
 * The SMTP transport to an outbound relay (`smtp://user:pass@host:587`, query options as
 * nodemailer reads them), pooled when asked. The URL is parsed here: given as `{ url, ... }`,
 * nodemailer takes the URL alone and drops every other option (the pool among them). A `proxy`
 * in the query (`?proxy=http://proxy:3128`) is used as nodemailer uses it; an HTTP(S) one through
 * nodemailer's CONNECT client with Nagle off, a SOCKS one needs nodemailer's socks module.
 */
export function relayTransport(url: string, pool?: { maxConnections: number }): Transporter {
  const options = { ...parseConnectionUrl(url), getSocket: noDelaySocket, ...(pool ? { pool: true as const, maxConnections: pool.maxConnections } : {}) };
  const transport = nodemailer.createTransport(options as SMTPTransport.Options);
  // with a proxy, nodemailer puts its own proxy socket in place of getSocket; these keep Nagle off
  transport.set('proxy_handler_http', noDelayProxySocket);
  transport.set('proxy_handler_https', noDelayProxySocket);
  return transport;
}

/**
 * Sends one message. A transport given as options is created for this call and closed after it;
 * pass a long-lived Transporter to reuse pooled connections.
 */
export async function sendEmail(transport: TransportInput, mail: Mail.Options): Promise<SendEmailResult> {
  const owned = isSender(transport) ? null : typeof transport === 'string' ? relayTransport(transport) : nodemailer.createTransport(transport);
  const sender: MailSender = owned ?? (transport as MailSender);
  try {
    const info = (await sender.sendMail(mail)) as Record<string, unknown> | undefined;
    return {
      providerMessageId: typeof info?.messageId === 'string' ? info.messageId : null,
      accepted: addressList(info?.accepted),
      rejected: addressList(info?.rejected),
      response: typeof info?.response === 'string' ? info.response : null,
    };
  } finally {
    owned?.close();
  }
}

// Connection-level failures: the message never reached a verdict, so another attempt may succeed.
const TEMPORARY_CODES = new Set([
  'ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EAI_AGAIN',
  'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EPROTOCOL', 'ETLS', 'EMAXLIMIT',
]);
// The message itself was refused before any server answered (bad address, bad content).
const PERMANENT_CODES = new Set(['EENVELOPE', 'EMESSAGE']);

/**
 * `temporary` (retry later) or `permanent` (give up and tell the agent). A 4xx SMTP reply is
 * temporary, 5xx permanent; without a reply code the nodemailer error code decides, and an
 * unknown error counts as temporary because retries are bounded anyway.
 */
export function classifySmtpError(err: unknown): SendErrorClass {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { responseCode?: unknown; code?: unknown; response?: unknown };
  let responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  if (responseCode === null && typeof e.response === 'string') {
    const m = /^([245])\d\d\b/.exec(e.response.trim());
    if (m) responseCode = Number(e.response.trim().slice(0, 3));
  }
  if (responseCode !== null) {
    if (responseCode >= 500 && responseCode < 600) return 'permanent';
    if (responseCode >= 400 && responseCode < 500) return 'temporary';
  }
  const code = typeof e.code === 'string' ? e.code : '';
  if (TEMPORARY_CODES.has(code)) return 'temporary';
  if (PERMANENT_CODES.has(code)) return 'permanent';
  return 'temporary';
}
