// Pure text helpers of the composer: what is being typed at the caret, and splicing text in.

export interface Token {
  /** Where the token starts (its `@` or `/`). */
  start: number;
  /** What follows the `@` or `/` up to the caret. */
  query: string;
}

/** `@Ada Lo|` → { query: 'Ada Lo' }: an @ at the start or after a space, one line, names may hold spaces. */
export function mentionAt(text: string, caret: number): Token | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([^\s@][^@\n]{0,40})?$/u.exec(before);
  if (!m) return null;
  const query = m[2] ?? '';
  // "@Ada Lovelace thanks, …": once the words go on past any name, the agent is just writing
  if (query.split(' ').length > 3) return null;
  return { start: before.length - query.length - 1, query };
}

/** `/refund|` → { query: 'refund' }: a slash at the start or after whitespace, then shortcut characters. */
export function shortcutAt(text: string, caret: number): Token | null {
  const m = /(^|\s)\/([a-z0-9_-]{1,40})$/i.exec(text.slice(0, caret));
  if (!m?.[2]) return null;
  return { start: caret - m[2].length - 1, query: m[2].toLowerCase() };
}

/** The text with [start, end) replaced, and the caret right after the insertion. */
export function splice(text: string, start: number, end: number, insert: string): { text: string; caret: number } {
  return { text: text.slice(0, start) + insert + text.slice(end), caret: start + insert.length };
}
