// Outbound replies: our Message-ID, the References chain, a Reply-To plus-address carrying the
// signed thread token, the `[#N]` subject tag and the signed body marker, so the customer's answer
// finds its thread by any of them.
import type Mail from 'nodemailer/lib/mailer';
import { buildMarker, parseMessageIdList, replyAddress, signThreadToken, withThreadNumber } from './threading';

/** Enough for long threads while keeping headers far below line-length limits of strict MTAs. */
export const MAX_REFERENCES = 20;

export interface ComposeAttachment {
  filename: string;
  content: Buffer;
  contentType?: string;
  /** Set for inline images referenced as `cid:` in the html. */
  cid?: string;
}

export interface ComposeReplyInput {
  /** `"Acme Support" <support@acme.test>` or a bare address. */
  from: string;
  /** The inbox address; the signed token is added as a plus-address. */
  replyTo: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  subject: string;
  text: string;
  html?: string;
  threadNumber: number;
  /** Our Message-ID for this reply (see newMessageId), stored before sending. */
  messageId: string;
  /** Message-ID of the message answered, if any. */
  inReplyTo?: string | null;
  /** References of the message answered, oldest first. */
  references?: string[];
  tokenSecret: string;
  attachments?: ComposeAttachment[];
}

const bracket = (id: string): string => `<${id.replace(/^<+|>+$/g, '')}>`;

/** Keeps the first id (the thread root) and the latest ones, at most `max` in all. */
export function capReferences(ids: string[], max = MAX_REFERENCES): string[] {
  if (ids.length <= max) return ids;
  if (max <= 1) return ids.slice(-1);
  const first = ids[0];
  return first === undefined ? [] : [first, ...ids.slice(ids.length - (max - 1))];
}

function insertHtmlMarker(html: string, marker: string): string {
  const close = html.search(/<\/body\s*>/i);
  return close >= 0 ? html.slice(0, close) + marker + html.slice(close) : html + marker;
}

export function composeReply(input: ComposeReplyInput): Mail.Options {
  const token = signThreadToken(input.threadNumber, input.tokenSecret);
  const marker = buildMarker(input.threadNumber, input.tokenSecret);

  const chain = parseMessageIdList([...(input.references ?? []), ...(input.inReplyTo ? [input.inReplyTo] : [])]);
  const references = capReferences(chain).map(bracket);
  const inReplyTo = input.inReplyTo ? parseMessageIdList(input.inReplyTo)[0] : undefined;

  const options: Mail.Options = {
    from: input.from,
    replyTo: replyAddress(input.replyTo, token),
    to: input.to,
    subject: withThreadNumber(input.subject, input.threadNumber),
    messageId: bracket(input.messageId),
    text: `${input.text.replace(/\s+$/, '')}\n\n${marker.text}\n`,
  };
  if (input.cc?.length) options.cc = input.cc;
  if (input.bcc?.length) options.bcc = input.bcc;
  if (input.html !== undefined) options.html = insertHtmlMarker(input.html, marker.html);
  if (inReplyTo) options.inReplyTo = bracket(inReplyTo);
  if (references.length > 0) options.references = references;
  if (input.attachments?.length) {
    options.attachments = input.attachments.map((a) => ({
      filename: a.filename,
      content: a.content,
      ...(a.contentType ? { contentType: a.contentType } : {}),
      ...(a.cid ? { cid: a.cid } : {}),
    }));
  }
  return options;
}

/**
 * The automatic acknowledgement: same threading as a reply, marked as machine-sent so that
 * other robots (out-of-office, our own inbound side) do not answer it.
 */
export function composeAutoAck(input: ComposeReplyInput): Mail.Options {
  const options = composeReply(input);
  options.headers = {
    'Auto-Submitted': 'auto-replied',
    // Asks Exchange/Outlook not to send out-of-office or other auto-replies to it.
    'X-Auto-Response-Suppress': 'All',
  };
  return options;
}
