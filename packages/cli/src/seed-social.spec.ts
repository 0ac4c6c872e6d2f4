import { DEMO_ACCOUNTS } from './seed-demo';
import { deskUrlFrom, socialEvents } from './seed-social';

describe('deskUrlFrom', () => {
  it('takes --api, else PUBLIC_URL, else localhost on PORT (3000 by default)', () => {
    expect(deskUrlFrom({ api: 'http://desk:8080/' }, { PUBLIC_URL: 'http://other' })).toBe('http://desk:8080');
    expect(deskUrlFrom({}, { PUBLIC_URL: 'https://desk.example/' })).toBe('https://desk.example');
    expect(deskUrlFrom({}, { PORT: '4000' })).toBe('http://localhost:4000');
    expect(deskUrlFrom({}, {})).toBe('http://localhost:3000');
  });
});

describe('socialEvents', () => {
  const at = (m: number) => new Date(Date.UTC(2026, 10, 20, 10, m));
  const contact = { key: 'james', name: 'James Miller', handle: 'jmiller', ids: { x: '4242', facebook: '5151', instagram: '6161' } };

  it('X public: one mention per message, each answering the previous, keyed by tweet id', () => {
    const events = socialEvents({ channel: 'x', inboxId: 'i', contact, surface: 'public', messages: [{ text: '@acme late', at: at(0), isPublic: true }, { text: '@acme still late', at: at(5), isPublic: true }] });
    const tweets = events.map((e) => (e.event.tweet_create_events as Array<Record<string, unknown>>)[0]!);
    expect(events.map((e) => e.network)).toEqual(['x', 'x']);
    expect(tweets.map((t) => t.id_str)).toEqual(events.map((e) => e.key));
    expect(tweets[0]).toMatchObject({ in_reply_to_status_id_str: null, user: { id_str: '4242', screen_name: 'jmiller' } });
    expect(tweets[1]!.in_reply_to_status_id_str).toBe(events[0]!.key);
    expect(events[0]!.event.for_user_id).toBe(DEMO_ACCOUNTS.xUserId);
  });

  it('a DM inside a public X thread goes as a direct message; Facebook comments of one thread share their post', () => {
    const [dm] = socialEvents({ channel: 'x', inboxId: 'i', contact, surface: 'public', messages: [{ text: 'my order number', at: at(1), isPublic: false }] });
    expect(dm!.event.direct_message_events).toEqual([expect.objectContaining({ id: dm!.key, message_create: expect.objectContaining({ sender_id: '4242' }) })]);
    const fb = socialEvents({ channel: 'facebook', inboxId: 'i', contact, surface: 'public', messages: [{ text: 'a', at: at(0), isPublic: true }, { text: 'b', at: at(2), isPublic: true }] });
    const values = fb.map((e) => ((e.event.entry as Array<{ changes: Array<{ value: { post_id: string; comment_id: string } }> }>)[0]!.changes[0]!.value));
    expect(new Set(values.map((v) => v.post_id)).size).toBe(1);
    expect(values[0]!.post_id.startsWith(`${DEMO_ACCOUNTS.pageId}_`)).toBe(true);
    expect(fb.map((e) => e.key)).toEqual(values.map((v) => v.comment_id));
    const [ig] = socialEvents({ channel: 'instagram', inboxId: 'i', contact, surface: 'dm', messages: [{ text: 'hi', at: at(0), isPublic: false }] });
    expect(ig!.event).toMatchObject({ object: 'instagram', entry: [{ id: DEMO_ACCOUNTS.igUserId, messaging: [{ sender: { id: '6161' }, message: { mid: ig!.key, text: 'hi' } }] }] });
  });
});
