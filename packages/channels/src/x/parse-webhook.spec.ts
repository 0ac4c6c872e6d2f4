import { QuarantineError } from '../adapter';
import directMessage from './__fixtures__/direct-message.json';
import ownAndRetweet from './__fixtures__/tweet-create-own-and-retweet.json';
import mention from './__fixtures__/tweet-create-mention.json';
import replyExtended from './__fixtures__/tweet-create-reply-extended.json';
import { parseXDate, parseXWebhook, splitXWebhook } from './parse-webhook';

const ctx = { ownUserId: '2244994945' };

describe('parseXDate', () => {
  it('parses the v1.1 created_at format', () => {
    expect(parseXDate('Wed Oct 10 20:19:24 +0000 2018')?.toISOString()).toBe('2018-10-10T20:19:24.000Z');
    expect(parseXDate('Wed Oct 10 22:19:24 +0200 2018')?.toISOString()).toBe('2018-10-10T20:19:24.000Z');
  });
  it('answers null for anything else', () => {
    expect(parseXDate('2018-10-10')).toBeNull();
    expect(parseXDate(42)).toBeNull();
  });
});

describe('parseXWebhook', () => {
  it('turns a mention into a public message threaded on its own id', () => {
    const [message, ...rest] = parseXWebhook(mention, ctx);
    expect(rest).toHaveLength(0);
    expect(message).toMatchObject({
      channel: 'x',
      externalId: '1050118621198921728',
      sender: { kind: 'x', value: '6253282', displayName: '@janecustomer', name: 'Jane Customer' },
      text: '@AcmeSupport my order #123 never arrived https://t.co/abc',
      visibleText: '@AcmeSupport my order #123 never arrived https://t.co/abc',
      isPublic: true,
      conversationKey: '1050118621198921728',
      replyTarget: { kind: 'x-tweet', id: '1050118621198921728' },
      recipientAccountId: '2244994945',
      subject: null,
      html: null,
      isAutomatic: false,
      participants: ['2244994945'],
    });
    expect(message?.sentAt?.toISOString()).toBe('2018-10-10T20:19:24.000Z');
    expect(message?.threading.inReplyTo).toBeNull();
  });

  it('uses the full text of an extended tweet and threads a reply on its parent', () => {
    const [message] = parseXWebhook(replyExtended, ctx);
    expect(message?.text).toMatch(/stuck in the depot since Monday\. Can you check\?$/);
    expect(message?.conversationKey).toBe('1050200000000000001');
    expect(message?.threading.inReplyTo).toBe('1050200000000000001');
    expect(message?.replyTarget).toEqual({ kind: 'x-tweet', id: '1050295190470004737' });
    expect(message?.participants).toEqual(['2244994945', '999']);
  });

  it('prefers conversation_id when the payload has it', () => {
    const tweet = { ...mention.tweet_create_events[0], id_str: '5', in_reply_to_status_id_str: '4', conversation_id_str: '1' };
    expect(parseXWebhook({ for_user_id: '2244994945', tweet_create_events: [tweet] }, ctx)[0]?.conversationKey).toBe('1');
  });

  it('drops our own tweets and retweets, so replies never loop', () => {
    expect(parseXWebhook(ownAndRetweet, ctx)).toEqual([]);
  });

  it('turns a DM into a private message threaded per sender and drops our own DM', () => {
    const messages = parseXWebhook(directMessage, ctx);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      channel: 'x',
      externalId: '954491830116155396',
      sender: { kind: 'x', value: '6253282', displayName: '@janecustomer', name: 'Jane Customer' },
      text: 'Hi, here is my order number: 123-456',
      isPublic: false,
      conversationKey: 'dm:6253282',
      replyTarget: { kind: 'x-dm', id: '6253282' },
      participants: ['2244994945'],
    });
    expect(messages[0]?.sentAt?.toISOString()).toBe('2018-01-19T23:12:40.557Z');
  });

  it('ignores event kinds that are not messages', () => {
    expect(parseXWebhook({ for_user_id: '2244994945', favorite_events: [{ id: 'x' }], follow_events: [{}] }, ctx)).toEqual([]);
    expect(parseXWebhook({ for_user_id: '2244994945', direct_message_events: [{ type: 'message_read', id: '1' }] }, ctx)).toEqual([]);
  });

  it('quarantines malformed payloads', () => {
    expect(() => parseXWebhook('nope', ctx)).toThrow(QuarantineError);
    expect(() => parseXWebhook({ tweet_create_events: [{ text: 'no id' }] }, ctx)).toThrow('without id_str');
    expect(() => parseXWebhook({ tweet_create_events: [{ id_str: '1', text: 'no user' }] }, ctx)).toThrow('without user.id_str');
    expect(() => parseXWebhook({ direct_message_events: [{ type: 'message_create', id: '1', message_create: {} }] }, ctx)).toThrow('sender_id');
  });
});

describe('splitXWebhook', () => {
  it('keeps one body per customer event, with its id, and leaves out own events and retweets', () => {
    const both = { ...mention, ...directMessage, tweet_create_events: [...mention.tweet_create_events, ...ownAndRetweet.tweet_create_events] };
    const events = splitXWebhook(both, ctx);
    expect(events.map((e) => [e.kind, e.externalId])).toEqual([
      ['tweet', '1050118621198921728'],
      ['dm', '954491830116155396'],
    ]);
    for (const event of events) expect(parseXWebhook(event.payload, ctx)).toHaveLength(1);
    expect(parseXWebhook(events[1]?.payload, ctx)[0]?.sender.displayName).toBe('@janecustomer');
  });
});
