// A minimal, binary-safe reader of a raw message's top-level header block, for the cheap paths
// (idempotency key) that must not run the full MIME parser.

/** Header bytes are read as latin1 so that any 8-bit byte survives as one char. */
const MAX_HEADER_BYTES = 256 * 1024;

export interface RawHeader {
  /** lower-cased field name */
  name: string;
  /** unfolded value, trimmed */
  value: string;
}

/** The header block: everything before the first empty line (CRLF or LF), capped. */
export function headerBlock(raw: Buffer): string {
  const head = raw.subarray(0, MAX_HEADER_BYTES).toString('latin1');
  const m = /\r?\n\r?\n/.exec(head);
  return m ? head.slice(0, m.index) : head;
}

/** Unfolds continuation lines and splits `Name: value`; lines without a colon are skipped. */
export function parseHeaderBlock(block: string): RawHeader[] {
  const headers: RawHeader[] = [];
  // A leading BOM or mbox "From " line is not a header.
  const lines = block.replace(/^\uFEFF/, '').split(/\r?\n/);
  let current: string | null = null;
  const flush = (): void => {
    if (current === null) return;
    const colon = current.indexOf(':');
    if (colon > 0) {
      const name = current.slice(0, colon).trim().toLowerCase();
      if (/^[\x21-\x39\x3b-\x7e]+$/.test(name)) {
        headers.push({ name, value: current.slice(colon + 1).replace(/\s+/g, ' ').trim() });
      }
    }
    current = null;
  };
  for (const line of lines) {
    if (/^[ \t]/.test(line) && current !== null) {
      current += ' ' + line.trim();
    } else {
      flush();
      current = line;
    }
  }
  flush();
  return headers;
}

export function findHeader(headers: RawHeader[], name: string): string | null {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name === lower)?.value ?? null;
}

/** First `<...>` of a Message-ID value without brackets; a bare token without spaces is accepted too. */
export function messageIdFromHeader(value: string | null | undefined): string | null {
  if (!value) return null;
  const bracketed = /<([^<>\s]+)>/.exec(value);
  if (bracketed?.[1]) return bracketed[1];
  const bare = value.trim();
  return bare && !/[\s<>]/.test(bare) ? bare : null;
}
