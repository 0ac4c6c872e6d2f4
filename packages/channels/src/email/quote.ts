// Splits what the customer just wrote from the history their client quoted below it and from
// their signature. email-reply-parser handles `>` quotes and signatures; the quote headers that
// it misses (Outlook blocks without an address, headers wrapped over two lines, de/fr variants)
// are cut here first.
import EmailReplyParser from 'email-reply-parser';
import sanitizeHtml from 'sanitize-html';

export interface SplitReply {
  /** The new part only. */
  visibleText: string;
  /** Everything that was removed (quoted history, signature). */
  hiddenText: string;
}

const QUOTE_HEADER_PATTERNS: RegExp[] = [
  // -----Original Message----- and its translations
  /^[ \t]*-{2,}[ \t]*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht)[ \t]*-{2,}[ \t]*$/im,
  // Gmail/Apple: "On <date>, <name> <addr> wrote:", possibly wrapped over two lines
  /^[ \t]*On[ \t][^\n]{0,300}?(?:\n[^\n]{0,300}?)?[ \t]wrote:[ \t]*$/m,
  // German: "Am <date> schrieb <name>:" / "Am <date> um <time> schrieb <name>:"
  /^[ \t]*Am[ \t][^\n]{0,300}?(?:\n[^\n]{0,300}?)?[ \t]schrieb[^\n]{0,300}:[ \t]*$/m,
  // French: "Le <date>, <name> a écrit :"
  /^[ \t]*Le[ \t][^\n]{0,300}?(?:\n[^\n]{0,300}?)?[ \t]a[ \t]+écrit[ \t]*:[ \t]*$/m,
  // Spanish, Italian, Portuguese, Dutch
  /^[ \t]*El[ \t][^\n]{0,300}?(?:\n[^\n]{0,300}?)?[ \t]escribió[ \t]*:[ \t]*$/m,
  /^[ \t]*Il[ \t][^\n]{0,300}?(?:\n[^\n]{0,300}?)?[ \t]ha[ \t]+scritto[ \t]*:[ \t]*$/m,
  /^[ \t]*Em[ \t][^\n]{0,300}?(?:\n[^\n]{0,300}?)?[ \t]escreveu[ \t]*:[ \t]*$/m,
  /^[ \t]*Op[ \t][^\n]{0,300}?(?:\n[^\n]{0,300}?)?[ \t]schreef[^\n]{0,300}:[ \t]*$/m,
];

const FROM_LINE = /^[ \t]*\*?(?:From|Von|De|Da|Van|Från|Fra)[ \t]*:\*?[ \t]*\S/i;
const SENT_LINE = /^[ \t]*\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Inviato|Verzonden|Skickat|Sendt)[ \t]*:\*?[ \t]*\S/i;
const RULE_LINE = /^[ \t]*_{8,}[ \t]*$/;

/** Offset of an Outlook header block ("From: … / Sent: …"), moved up to a `____` rule right above it. */
function outlookBlockOffset(text: string): number {
  const lines = text.split('\n');
  let offset = 0;
  const starts: number[] = [];
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  for (let i = 0; i < lines.length; i++) {
    if (!FROM_LINE.test(lines[i] ?? '')) continue;
    const window = lines.slice(i + 1, i + 5);
    if (!window.some((l) => SENT_LINE.test(l))) continue;
    let start = i;
    let j = i - 1;
    while (j >= 0 && (lines[j] ?? '').trim() === '') j--;
    if (j >= 0 && RULE_LINE.test(lines[j] ?? '')) start = j;
    return starts[start] ?? -1;
  }
  return -1;
}

/** Offset of the first quote header, or -1. */
export function quoteHeaderOffset(text: string): number {
  let best = -1;
  for (const re of QUOTE_HEADER_PATTERNS) {
    const m = re.exec(text);
    if (m && (best < 0 || m.index < best)) best = m.index;
  }
  const outlook = outlookBlockOffset(text);
  if (outlook >= 0 && (best < 0 || outlook < best)) best = outlook;
  return best;
}

export function splitReply(text: string): SplitReply {
  const normalized = text.replace(/\r\n?/g, '\n');
  const cut = quoteHeaderOffset(normalized);
  const head = cut >= 0 ? normalized.slice(0, cut) : normalized;
  const email = new EmailReplyParser().read(head);
  const visibleText = email.getVisibleText().replace(/\n{3,}/g, '\n\n').trim();
  const hidden = email
    .getFragments()
    .filter((f) => f.isHidden())
    .map((f) => f.getContent());
  if (cut >= 0) hidden.push(normalized.slice(cut));
  return { visibleText, hiddenText: hidden.join('\n').trim() };
}

/** Plain text from html: block ends become newlines, blockquotes become `> ` lines. */
export function htmlToText(html: string): string {
  let s = html
    .replace(/<(script|style|head|title)[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|table|pre)\s*>/gi, '\n')
    .replace(/<(p|div|h[1-6]|tr|table|pre)(\s[^>]*)?>/gi, '\n');
  // Prefix lines inside blockquotes, innermost first.
  for (let guard = 0; guard < 20 && /<blockquote/i.test(s); guard++) {
    s = s.replace(/<blockquote\b[^>]*>((?:(?!<blockquote\b)[\s\S])*?)<\/blockquote\s*>/gi, (_m, inner: string) =>
      '\n' + inner.trim().split('\n').map((l) => `> ${l}`).join('\n') + '\n',
    );
  }
  const textOnly = sanitizeHtml(s, { allowedTags: [], allowedAttributes: {}, nonTextTags: ['script', 'style', 'title', 'head', 'textarea'] });
  return decodeEntities(textOnly)
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function decodeEntities(s: string): string {
  return s
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&#(\d{1,7});/g, (_m, d: string) => codePoint(Number(d)))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_m, h: string) => codePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

function codePoint(n: number): string {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '\ufffd';
}
