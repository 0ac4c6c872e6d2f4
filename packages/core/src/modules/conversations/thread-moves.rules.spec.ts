import {
  checkSplitSelection,
  describeMergePath,
  firstUnansweredCustomerMessage,
  followMerges,
  threadTimesOf,
  type MergeLink,
  type MessageTimeRow,
} from './thread-moves.rules';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 9, minute));
let seq = 0;
const row = (p: Partial<MessageTimeRow> & { createdAt: Date }): MessageTimeRow => ({
  id: `m${++seq}`,
  direction: 'inbound',
  isAutomatic: false,
  authorAgentId: null,
  ...p,
});

describe('threadTimesOf', () => {
  it('counts customer mail, agent replies, and neither notes nor the desk’s own acknowledgements as agent activity', () => {
    const times = threadTimesOf([
      row({ createdAt: at(1) }),
      row({ direction: 'outbound', authorAgentId: null, isAutomatic: true, createdAt: at(2) }), // auto-ack
      row({ direction: 'outbound', authorAgentId: 'agent-1', createdAt: at(3) }),
      row({ direction: 'note', authorAgentId: 'agent-1', createdAt: at(9) }),
      row({ isAutomatic: true, createdAt: at(5) }), // out-of-office from the customer
    ]);
    expect(times).toEqual({ lastMessageAt: at(5), lastCustomerMessageAt: at(1), lastAgentMessageAt: at(3) });
  });

  it('gives a thread of notes only its newest note as last activity, and nothing else', () => {
    expect(threadTimesOf([row({ direction: 'note', authorAgentId: 'a', createdAt: at(4) }), row({ direction: 'note', authorAgentId: 'a', createdAt: at(2) })])).toEqual({
      lastMessageAt: at(4),
      lastCustomerMessageAt: null,
      lastAgentMessageAt: null,
    });
    expect(threadTimesOf([])).toEqual({ lastMessageAt: null, lastCustomerMessageAt: null, lastAgentMessageAt: null });
  });
});

describe('firstUnansweredCustomerMessage', () => {
  it('is the oldest human customer message after the last agent reply', () => {
    const answered = row({ createdAt: at(1) });
    const waiting = row({ createdAt: at(6) });
    const later = row({ createdAt: at(8) });
    const auto = row({ isAutomatic: true, createdAt: at(5) });
    expect(firstUnansweredCustomerMessage([later, answered, auto, waiting], at(3))?.id).toBe(waiting.id);
  });

  it('is the oldest customer message when no agent answered, and null when all were answered', () => {
    const a = row({ createdAt: at(2) });
    const b = row({ createdAt: at(1) });
    expect(firstUnansweredCustomerMessage([a, b], null)?.id).toBe(b.id);
    expect(firstUnansweredCustomerMessage([a, b], at(2))).toBeNull();
    expect(firstUnansweredCustomerMessage([row({ direction: 'outbound', authorAgentId: 'x', createdAt: at(7) })], null)).toBeNull();
  });
});

describe('checkSplitSelection', () => {
  const inThread = new Set(['a', 'b', 'c']);

  it('moves each requested message once', () => {
    expect(checkSplitSelection(['b', 'a', 'b'], inThread, 12)).toEqual({ ok: true, ids: ['b', 'a'] });
  });

  it('refuses messages of another thread, naming them and the field', () => {
    expect(checkSplitSelection(['a', 'x', 'y'], inThread, 12)).toEqual({ ok: false, message: 'messageIds: x, y are not a message of thread #12' });
    expect(checkSplitSelection(['x'], inThread, 12)).toEqual({ ok: false, message: 'messageIds: x is not a message of thread #12' });
  });

  it('keeps at least one message in the thread', () => {
    expect(checkSplitSelection(['a', 'b', 'c', 'a'], inThread, 12)).toEqual({ ok: false, message: 'messageIds: at least one message must stay in thread #12' });
  });
});

describe('followMerges', () => {
  const graph = (links: Array<[number, number | null]>) => {
    const byId = new Map<string, MergeLink>(links.map(([n, to]) => [`t${n}`, { id: `t${n}`, number: n, mergedIntoThreadId: to === null ? null : `t${to}` }]));
    const loads: string[] = [];
    const load = async (id: string) => {
      loads.push(id);
      return byId.get(id) ?? null;
    };
    return { get: (n: number) => byId.get(`t${n}`)!, load, loads };
  };

  it('returns a thread that was not merged as it is, without a lookup', async () => {
    const g = graph([[1, null]]);
    expect(await followMerges(g.get(1), g.load)).toEqual({ thread: g.get(1), path: [] });
    expect(g.loads).toEqual([]);
  });

  it('follows a chain to the thread that holds the conversation, listing the hops', async () => {
    const g = graph([
      [9, 10],
      [10, 12],
      [12, null],
    ]);
    const r = await followMerges(g.get(9), g.load);
    expect(r.thread.number).toBe(12);
    expect(r.path.map((t) => t.number)).toEqual([9, 10]);
    expect(describeMergePath(r.path)).toBe('merged from #9 via #10');
  });

  it('stops at a loop instead of spinning', async () => {
    const g = graph([
      [1, 2],
      [2, 3],
      [3, 1],
    ]);
    const r = await followMerges(g.get(1), g.load);
    expect(r.thread.number).toBe(3);
    expect(g.loads).toEqual(['t2', 't3']);
  });

  it('stops after the maximum depth and at a pointer to a missing thread', async () => {
    const chain = graph(Array.from({ length: 15 }, (_, i) => [i + 1, i + 2] as [number, number | null]));
    const deep = await followMerges(chain.get(1), chain.load, 10);
    expect(deep.thread.number).toBe(11);
    expect(deep.path).toHaveLength(10);

    const dangling = graph([[1, 99]]);
    expect((await followMerges(dangling.get(1), dangling.load)).thread.number).toBe(1);
  });

  it('describes a single hop without "via"', () => {
    expect(describeMergePath([{ id: 't9', number: 9, mergedIntoThreadId: 't12' }])).toBe('merged from #9');
    expect(describeMergePath([])).toBe('');
  });
});
