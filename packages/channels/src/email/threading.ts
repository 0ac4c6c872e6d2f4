// Keys that bring a customer's answer back to its thread: a signed token in the Reply-To
// plus-address, a signed marker in the body, the `[#1234]` subject tag and our own Message-IDs.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { MarkerMatch } from '../adapter';

const TOKEN_SIG_LENGTH = 16;
const MARKER_SIG_LENGTH = 8;
const TOKEN_RE = /^(\d{1,15})\.([0-9a-f]{16})$/;

function hmacHex(secret: string, purpose: string, threadNumber: number): string {
  if (!secret) throw new Error('thread secret must not be empty');
  // The purpose prefix keeps a marker signature from being usable as a token signature.
  return createHmac('sha256', secret).update(`${purpose}:${threadNumber}`).digest('hex');
}

function assertThreadNumber(threadNumber: number): void {
  if (!Number.isSafeInteger(threadNumber) || threadNumber <= 0) {
    throw new Error(`invalid thread number: ${threadNumber}`);
  }
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** `<threadNumber>.<first 16 hex chars of HMAC-SHA256>`. */
export function signThreadToken(threadNumber: number, secret: string): string {
  assertThreadNumber(threadNumber);
  return `${threadNumber}.${hmacHex(secret, 'token', threadNumber).slice(0, TOKEN_SIG_LENGTH)}`;
}

/** The thread number when the token is well-formed and signed with `secret`, else null. */
export function verifyThreadToken(token: string, secret: string): number | null {
  const m = TOKEN_RE.exec(token.trim().toLowerCase());
  if (!m || !m[1] || !m[2]) return null;
  const threadNumber = Number(m[1]);
  if (!Number.isSafeInteger(threadNumber) || threadNumber <= 0) return null;
  const expected = hmacHex(secret, 'token', threadNumber).slice(0, TOKEN_SIG_LENGTH);
  return safeEqual(m[2], expected) ? threadNumber : null;
}

/** `replyAddress('support@acme.test', '12.abcd…')` → `support+12.abcd…@acme.test`. */
export function replyAddress(address: string, token: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) throw new Error(`invalid address: ${address}`);
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  // An inbox address that already carries a tag gets it replaced, not stacked.
  const base = local.includes('+') ? local.slice(0, local.indexOf('+')) : local;
  return `${base}+${token}@${domain}`;
}

/** The tag after the first `+` of the local part when it has the token shape, else null. */
export function extractPlusToken(address: string): string | null {
  const bare = address.trim().replace(/^.*</, '').replace(/>.*$/, '');
  const at = bare.lastIndexOf('@');
  if (at <= 0) return null;
  const local = bare.slice(0, at);
  const plus = local.indexOf('+');
  if (plus < 0) return null;
  const tag = local.slice(plus + 1).toLowerCase();
  return TOKEN_RE.test(tag) ? tag : null;
}

const SUBJECT_TAG_RE = /\[#(\d{1,15})\]/;
const SUBJECT_TAG_ALL_RE = /\s*\[#\d{1,15}\]/g;

/** Adds `[#n]` once at the end; an existing `Re:`/`Fwd:` prefix stays, another thread's tag is replaced. */
export function withThreadNumber(subject: string | null | undefined, threadNumber: number): string {
  assertThreadNumber(threadNumber);
  const tag = `[#${threadNumber}]`;
  const current = (subject ?? '').trim();
  const tags = current.match(/\[#\d{1,15}\]/g) ?? [];
  if (tags.length === 1 && tags[0] === tag) return current;
  const stripped = current.replace(SUBJECT_TAG_ALL_RE, '').trim();
  return stripped ? `${stripped} ${tag}` : tag;
}

export function extractSubjectNumber(subject: string | null | undefined): number | null {
  const m = SUBJECT_TAG_RE.exec(subject ?? '');
  if (!m || !m[1]) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** `Re: ` added unless the subject already starts with a reply prefix (Re, AW, SV, RE, Réf…). */
export function replySubject(subject: string | null | undefined): string {
  const s = (subject ?? '').trim();
  return /^(re|aw|sv|vs|antw|r|réf|ref)\s*(\[\d+\])?\s*:/i.test(s) ? s : `Re: ${s}`.trim();
}

export interface BodyMarker {
  /** `1234.abcd1234` */
  value: string;
  /** A short line for text bodies: `[ref:#1234.abcd1234]`. */
  text: string;
  /** An HTML comment plus a zero-size span carrying the same text. */
  html: string;
}

export function buildMarker(threadNumber: number, secret: string): BodyMarker {
  assertThreadNumber(threadNumber);
  const value = `${threadNumber}.${hmacHex(secret, 'marker', threadNumber).slice(0, MARKER_SIG_LENGTH)}`;
  const text = `[ref:#${value}]`;
  const html =
    `<!-- desk-ref:#${value} -->` +
    `<span style="display:none;font-size:0;line-height:0;max-height:0;max-width:0;opacity:0;overflow:hidden;color:transparent">${text}</span>`;
  return { value, text, html };
}

// Matches the text line and the html comment; the closing bracket is not required because
// clients sometimes wrap quoted lines right after the signature.
const MARKER_RE = /(?:\[ref:#|desk-ref:#)(\d{1,15})\.([0-9a-f]{8})\b/i;

/**
 * Finds our marker in a text or html body. With a secret, `valid` tells whether it is ours;
 * without one it is null (unchecked).
 */
export function extractMarker(content: string | null | undefined, secret?: string): MarkerMatch | null {
  if (!content) return null;
  const m = MARKER_RE.exec(content);
  if (!m || !m[1] || !m[2]) return null;
  const threadNumber = Number(m[1]);
  if (!Number.isSafeInteger(threadNumber) || threadNumber <= 0) return null;
  const sig = m[2].toLowerCase();
  const raw = `${threadNumber}.${sig}`;
  if (secret === undefined) return { raw, threadNumber, valid: null };
  const expected = hmacHex(secret, 'marker', threadNumber).slice(0, MARKER_SIG_LENGTH);
  return { raw, threadNumber, valid: safeEqual(sig, expected) };
}

/** `<uuid@domain>`, angle brackets included, as a Message-ID header wants it. */
export function newMessageId(domain: string): string {
  const d = domain.trim().replace(/^.*@/, '');
  if (!/^[a-z0-9.-]+$/i.test(d) || !d.includes('.')) throw new Error(`invalid message-id domain: ${domain}`);
  return `<${randomUUID()}@${d.toLowerCase()}>`;
}

/** `<abc@x>` → `abc@x`; also trims whitespace. */
export function stripAngles(id: string): string {
  return id.trim().replace(/^<+/, '').replace(/>+$/, '').trim();
}

/** All `<...>` ids of a References / In-Reply-To value, without brackets, in order, de-duplicated. */
export function parseMessageIdList(value: string | string[] | null | undefined): string[] {
  if (!value) return [];
  const joined = Array.isArray(value) ? value.join(' ') : value;
  const ids: string[] = [];
  const bracketed = joined.match(/<[^<>\s]+>/g);
  const parts = bracketed ?? joined.split(/[\s,]+/);
  for (const p of parts) {
    const id = stripAngles(p);
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}
