// Text-only replies and notes: the HTML part is rendered from the text (escaped, paragraphs and
// line breaks kept), and @mentions in notes are resolved against the agents.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** Blank lines separate paragraphs; single newlines become <br>. Nothing the agent typed is markup. */
export function textToHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>\n')}</p>`);
  return `<html><body>\n${paragraphs.join('\n')}\n</body></html>`;
}

export interface MentionCandidate {
  id: string;
  name: string;
  email: string;
}

/**
 * Agents mentioned as `@Full Name` or `@email`, case-insensitively, in order of first appearance.
 * A mention must end at a non-word character, so `@Ann` does not match inside `@Anna`.
 */
export function findMentions(text: string, agents: MentionCandidate[]): Array<{ agentId: string; name: string }> {
  const lower = text.toLowerCase();
  const hits: Array<{ at: number; agentId: string; name: string }> = [];
  for (const a of agents) {
    let best = -1;
    for (const handle of [a.email, a.name]) {
      const h = `@${handle.trim().toLowerCase()}`;
      if (h.length < 2) continue;
      let from = 0;
      for (;;) {
        const at = lower.indexOf(h, from);
        if (at < 0) break;
        const next = lower.charAt(at + h.length);
        if (!/[\p{L}\p{N}_@.-]/u.test(next) || (next === '.' && !/[\p{L}\p{N}]/u.test(lower.charAt(at + h.length + 1)))) {
          if (best < 0 || at < best) best = at;
          break;
        }
        from = at + 1;
      }
    }
    if (best >= 0) hits.push({ at: best, agentId: a.id, name: a.name });
  }
  return hits.sort((x, y) => x.at - y.at).map(({ agentId, name }) => ({ agentId, name }));
}
