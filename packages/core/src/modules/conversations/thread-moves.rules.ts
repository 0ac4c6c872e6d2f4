import type { MessageDirection } from '@desk/contracts';

/** What a thread's timestamps are derived from: one row per message, no bodies. */
export interface MessageTimeRow {
  id: string;
  direction: MessageDirection;
  isAutomatic: boolean;
  authorAgentId: string | null;
  createdAt: Date;
}

export interface ThreadTimes {
  lastMessageAt: Date | null;
  lastCustomerMessageAt: Date | null;
  lastAgentMessageAt: Date | null;
}

const latest = (dates: Date[]): Date | null => dates.reduce<Date | null>((a, d) => (a === null || d > a ? d : a), null);

/**
 * A thread's times after messages moved in or out, by the rules the writers follow when a message
 * is added: every inbound message and every agent reply is activity (ingest, OutboxService.bumpThread);
 * only a human customer message counts for the customer; only an agent's reply (an author, not a
 * note, not the desk's own acknowledgement) counts for the agent. A thread left with notes only
 * still gets a lastMessageAt, from its newest message, so it never looks empty in a list.
 */
export function threadTimesOf(rows: MessageTimeRow[]): ThreadTimes {
  const agentReply = (r: MessageTimeRow) => r.direction === 'outbound' && r.authorAgentId !== null;
  const activity = rows.filter((r) => r.direction === 'inbound' || agentReply(r)).map((r) => r.createdAt);
  return {
    lastMessageAt: latest(activity) ?? latest(rows.map((r) => r.createdAt)),
    lastCustomerMessageAt: latest(rows.filter((r) => r.direction === 'inbound' && !r.isAutomatic).map((r) => r.createdAt)),
    lastAgentMessageAt: latest(rows.filter(agentReply).map((r) => r.createdAt)),
  };
}

/**
 * The customer message an SLA clock should start from after a move: the oldest human inbound
 * message that no agent reply followed (the customer has been waiting since then), or null.
 */
export function firstUnansweredCustomerMessage(rows: MessageTimeRow[], lastAgentMessageAt: Date | null): MessageTimeRow | null {
  const waiting = rows
    .filter((r) => r.direction === 'inbound' && !r.isAutomatic && (lastAgentMessageAt === null || r.createdAt > lastAgentMessageAt))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  return waiting[0] ?? null;
}

export type SplitSelection = { ok: true; ids: string[] } | { ok: false; message: string };

/**
 * Which messages a split moves: each requested id once, all of them in the thread, and at least one
 * message left behind (a thread without messages is not a conversation; merge it instead).
 */
export function checkSplitSelection(requested: string[], inThread: ReadonlySet<string>, threadNumber: number): SplitSelection {
  const ids = [...new Set(requested)];
  const foreign = ids.filter((id) => !inThread.has(id));
  if (foreign.length) return { ok: false, message: `messageIds: ${foreign.join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not a message of thread #${threadNumber}` };
  if (ids.length >= inThread.size) return { ok: false, message: `messageIds: at least one message must stay in thread #${threadNumber}` };
  return { ok: true, ids };
}

export const MAX_MERGE_DEPTH = 10;

export interface MergeLink {
  id: string;
  number: number;
  mergedIntoThreadId: string | null;
}

/**
 * Follows `mergedIntoThreadId` from `start` to the thread that holds the conversation now. Stops at
 * a thread that was not merged, at a pointer to a missing thread, at a loop, or after `maxDepth`
 * hops, returning the last thread reached; `path` lists the merged-away threads passed through.
 */
export async function followMerges<T extends MergeLink>(start: T, load: (id: string) => Promise<T | null>, maxDepth = MAX_MERGE_DEPTH): Promise<{ thread: T; path: T[] }> {
  const seen = new Set([start.id]);
  const path: T[] = [];
  let current = start;
  for (let hop = 0; hop < maxDepth && current.mergedIntoThreadId !== null; hop++) {
    if (seen.has(current.mergedIntoThreadId)) break;
    const next = await load(current.mergedIntoThreadId);
    if (!next) break;
    path.push(current);
    seen.add(next.id);
    current = next;
  }
  return { thread: current, path };
}

/** "merged from #9" or "merged from #9 via #10": the hops a threading decision followed. */
export function describeMergePath(path: MergeLink[]): string {
  const [from, ...via] = path;
  if (!from) return '';
  return `merged from #${from.number}${via.length ? ` via ${via.map((t) => `#${t.number}`).join(', ')}` : ''}`;
}
