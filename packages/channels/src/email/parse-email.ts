// Raw RFC 5322 bytes → NormalizedMessage. mailparser decodes MIME, charsets and encoded words;
// this module decides what the rest of the system sees and quarantines what it cannot use.
import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type EmailAddress, type MailParserOptions, type ParsedMail } from 'mailparser';
import { QuarantineError, type KeptAttachment, type NormalizedMessage, type RefusedAttachment } from '../adapter';
import { detectAutomatic, extractBounce, reportType } from './automatic';
import { findHeader, headerBlock, messageIdFromHeader, parseHeaderBlock } from './headers';
import { htmlToText, splitReply } from './quote';
import { sanitizeEmailHtml } from './sanitize';
import { extractMarker, extractPlusToken, extractSubjectNumber, parseMessageIdList } from './threading';

export interface ParseEmailOptions {
  /** Attachments larger than this are refused (listed, content dropped). */
  maxAttachmentBytes: number;
  /** When given, body markers are checked (marker.valid true/false instead of null). */
  threadSecret?: string;
  /** Keep remote image sources in the sanitized html (default: blocked). */
  allowRemoteImages?: boolean;
}

/** Lower-cased, trimmed address; null when it does not look like one. */
export function normalizeEmailAddress(address: string | null | undefined): string | null {
  const a = (address ?? '').trim().replace(/^<|>$/g, '').toLowerCase();
  const at = a.lastIndexOf('@');
  if (at <= 0 || at === a.length - 1 || /\s/.test(a)) return null;
  return a;
}

function flattenAddresses(value: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (!value) return [];
  const objects = Array.isArray(value) ? value : [value];
  const out: EmailAddress[] = [];
  const walk = (list: EmailAddress[]): void => {
    for (const entry of list) {
      if (entry.group) walk(entry.group);
      else out.push(entry);
    }
  };
  for (const o of objects) walk(o.value);
  return out;
}

/** A Date header that does not parse gives null (mailparser would substitute "now"). */
export function parseDateHeader(value: string | null): Date | null {
  if (!value) return null;
  const cleaned = value.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  const time = Date.parse(cleaned);
  return Number.isNaN(time) ? null : new Date(time);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

// keepDeliveryStatus (missing from the typings) turns message/delivery-status into an attachment
// instead of text, so a bounce's fields can be read; html is converted to text by htmlToText.
const PARSER_OPTIONS: MailParserOptions = {
  keepDeliveryStatus: true,
  keepCidLinks: true,
  skipImageLinks: true,
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
} as MailParserOptions;

export async function parseEmail(raw: Buffer, opts: ParseEmailOptions): Promise<NormalizedMessage> {
  if (!Buffer.isBuffer(raw)) throw new QuarantineError('input is not a byte buffer');
  if (raw.length === 0 || /^[\s\0]*$/.test(raw.subarray(0, 4096).toString('latin1'))) {
    throw new QuarantineError('empty message');
  }
  const headers = parseHeaderBlock(headerBlock(raw));
  if (headers.length === 0) throw new QuarantineError('no header block');

  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, PARSER_OPTIONS);
  } catch (err) {
    throw new QuarantineError(`mime parse failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  if (findHeader(headers, 'from') === null) throw new QuarantineError('missing sender');
  const fromEntry = flattenAddresses(parsed.from).find((a) => normalizeEmailAddress(a.address) !== null);
  const senderAddress = normalizeEmailAddress(fromEntry?.address);
  if (!fromEntry || !senderAddress) throw new QuarantineError('invalid sender address');

  const recipients = [...flattenAddresses(parsed.to), ...flattenAddresses(parsed.cc)];
  const participants: string[] = [];
  for (const r of recipients) {
    const a = normalizeEmailAddress(r.address);
    if (a && !participants.includes(a)) participants.push(a);
  }

  const rawHtml = typeof parsed.html === 'string' ? parsed.html : null;
  // html-only mail (or an empty text part beside html): the text is derived from the html.
  const text = parsed.text && parsed.text.trim() !== '' ? parsed.text : rawHtml ? htmlToText(rawHtml) : '';
  const { visibleText } = splitReply(text);

  // Envelope headers added by the receiving MTA also carry the plus-address.
  const tokenSources = [
    ...participants,
    ...['delivered-to', 'x-original-to', 'envelope-to'].map((h) => findHeader(headers, h) ?? ''),
  ];
  let token: string | null = null;
  for (const address of tokenSources) {
    token = extractPlusToken(address);
    if (token) break;
  }

  const automatic = detectAutomatic(headers);

  const attachments: KeptAttachment[] = [];
  const refusedAttachments: RefusedAttachment[] = [];
  for (const a of parsed.attachments) {
    const size = a.content.length;
    const filename = a.filename ?? null;
    const contentType = a.contentType || 'application/octet-stream';
    if (size > opts.maxAttachmentBytes) {
      refusedAttachments.push({ filename, contentType, size, reason: 'too_large' });
      continue;
    }
    attachments.push({
      filename,
      contentType,
      size,
      contentId: a.cid ? a.cid.replace(/^<|>$/g, '') : null,
      inline: a.contentDisposition === 'inline' || a.related === true,
      content: a.content,
      sha256: sha256(a.content),
    });
  }

  const bounce =
    reportType(headers) === 'delivery-status'
      ? extractBounce(parsed.attachments.map((a) => ({ contentType: a.contentType, content: a.content })), raw)
      : null;

  const subject = parsed.subject ?? null;
  return {
    channel: 'email',
    externalId: messageIdFromHeader(parsed.messageId) ?? `sha256:${sha256(raw)}`,
    sender: { kind: 'email', value: senderAddress, displayName: fromEntry.name?.trim() || null },
    participants,
    subject,
    sentAt: parseDateHeader(findHeader(headers, 'date')),
    text,
    visibleText,
    html: rawHtml === null ? null : sanitizeEmailHtml(rawHtml, { allowRemoteImages: opts.allowRemoteImages }),
    threading: {
      inReplyTo: parseMessageIdList(parsed.inReplyTo)[0] ?? null,
      references: parseMessageIdList(parsed.references),
      token,
      marker: extractMarker(text, opts.threadSecret) ?? extractMarker(rawHtml, opts.threadSecret),
      subjectNumber: extractSubjectNumber(subject),
    },
    isAutomatic: automatic.isAutomatic,
    automaticReason: automatic.reason,
    bounce,
    attachments,
    refusedAttachments,
    isPublic: true,
  };
}
