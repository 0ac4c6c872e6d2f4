/**
 * Pure rules of the automatic acknowledgement: who never gets one, and how its text is filled in.
 * No I/O, so they are unit-tested directly (auto-ack-rules.spec.ts).
 */

export const DEFAULT_ACK_TEMPLATE =
  'Hello {{name}},\n\nthanks for writing to us. Your request is #{{number}}. We will answer {{promise}}.\n\n— {{inbox}}';

/** What {{promise}} says when no response clock runs (no policy matched, or it was paused). */
export const NEUTRAL_PROMISE = 'as soon as we can';

/** Local parts of robots and role accounts whose mail nobody reads: never acknowledged. */
const NO_REPLY_LOCAL_PARTS = new Set(['noreply', 'donotreply', 'mailerdaemon', 'postmaster']);

/** `support+tag@Acme.test` → `support@acme.test`: plus-addresses of one mailbox compare equal. */
export function canonicalAddress(address: string): string {
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at <= 0) return a;
  const local = a.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus > 0 ? local.slice(0, plus) : local}@${a.slice(at + 1)}`;
}

/**
 * noreply@, no-reply@, no_reply@, do-not-reply@, donotreply@, mailer-daemon@, postmaster@, any case,
 * with or without a +tag. Separators are ignored so every common spelling is caught.
 */
export function isNoReplyAddress(address: string): boolean {
  const canonical = canonicalAddress(address);
  const at = canonical.lastIndexOf('@');
  const local = (at > 0 ? canonical.slice(0, at) : canonical).replace(/[-_.]/g, '');
  return NO_REPLY_LOCAL_PARTS.has(local);
}

export interface AckValues {
  name: string;
  number: number;
  promise: string;
  inbox: string;
}

/** Fills {{name}}, {{number}}, {{promise}} and {{inbox}} (spaces inside the braces allowed); other text stays as written. */
export function renderAckTemplate(template: string | null | undefined, values: AckValues): string {
  const source = template?.trim() ? template : DEFAULT_ACK_TEMPLATE;
  return source.replace(/\{\{\s*(name|number|promise|inbox)\s*\}\}/g, (_, key: keyof AckValues) => String(values[key]));
}
