import nodemailer from 'nodemailer';
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

/**
 * Sends one message. A transport given as options is created for this call and closed after it;
 * pass a long-lived Transporter to reuse pooled connections.
 */
export async function sendEmail(transport: TransportInput, mail: Mail.Options): Promise<SendEmailResult> {
  const owned = isSender(transport) ? null : nodemailer.createTransport(transport);
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
