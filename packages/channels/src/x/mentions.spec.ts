import { QuarantineError } from '../adapter';
import mentionsV2 from './__fixtures__/mentions-v2.json';
import mention from './__fixtures__/tweet-create-mention.json';
import { buildMentionsRequest, compareTweetIds, nextPollAt, parseMentionsResponse, rateLimitFromHeaders } from './mentions';
import { parseXWebhook } from './parse-webhook';

const ctx = { ownUserId: '2244994945' };

describe('buildMentionsRequest', () => {
  it('asks for the fields and expansions the parser reads, since the checkpoint', () => {
    const { method, url } = buildMentionsRequest({ userId: '2244994945', sinceId: '1050000000000000000', baseUrl: 'http://localhost:4010/' });
    expect(method).toBe('GET');
    const parsed = new URL(url);
    expect(parsed.origin + parsed.pathname).toBe('http://localhost:4010/2/users/2244994945/mentions');
    expect(Object.fromEntries(parsed.searchParams)).toEqual({
      'tweet.fields': 'author_id,conversation_id,created_at,in_reply_to_user_id,referenced_tweets',
      expansions: 'author_id',
      'user.fields': 'username,name',
      max_results: '100',
      since_id: '1050000000000000000',
    });
  });

  it('omits since_id on the first poll and defaults to api.x.com', () => {
    const { url } = buildMentionsRequest({ userId: '1' });
    expect(url.startsWith('https://api.x.com/2/users/1/mentions?')).toBe(true);
    expect(new URL(url).searchParams.has('since_id')).toBe(false);
  });
});

describe('parseMentionsResponse', () => {
  it('returns customer mentions oldest first with the newest id as checkpoint', () => {
    const page = parseMentionsResponse(mentionsV2, ctx);
    expect(page.newestId).toBe('1050295190470004737');
    expect(page.messages.map((m) => m.externalId)).toEqual(['1050118000000000000', '1050118621198921728', '1050295190470004737']);
    const reply = page.messages[2];
    expect(reply).toMatchObject({
      channel: 'x',
      sender: { kind: 'x', value: '6253282', displayName: '@janecustomer', name: 'Jane Customer' },
      conversationKey: '1050118621198921728',
      replyTarget: { kind: 'x-tweet', id: '1050295190470004737' },
      isPublic: true,
    });
    expect(reply?.threading.inReplyTo).toBe('1050200000000000001');
    expect(reply?.sentAt?.toISOString()).toBe('2018-10-11T08:01:02.000Z');
  });

  it('gives the same message id, sender and key as the webhook for the same tweet (dedup on the tweet id)', () => {
    const fromWebhook = parseXWebhook(mention, ctx)[0];
    const fromPoll = parseMentionsResponse(mentionsV2, ctx).messages.find((m) => m.externalId === fromWebhook?.externalId);
    expect(fromPoll?.externalId).toBe(fromWebhook?.externalId);
    expect(fromPoll?.sender).toEqual(fromWebhook?.sender);
    expect(fromPoll?.conversationKey).toBe(fromWebhook?.conversationKey);
    expect(fromPoll?.replyTarget).toEqual(fromWebhook?.replyTarget);
  });

  it('handles an empty page and drops retweets', () => {
    expect(parseMentionsResponse({ meta: { result_count: 0 } }, ctx)).toEqual({ messages: [], newestId: null, nextToken: null });
    const rt = { data: [{ id: '9', text: 'RT', author_id: '5', referenced_tweets: [{ type: 'retweeted', id: '1' }] }] };
    expect(parseMentionsResponse(rt, ctx).messages).toEqual([]);
  });

  it('quarantines garbage', () => {
    expect(() => parseMentionsResponse(null, ctx)).toThrow(QuarantineError);
    expect(() => parseMentionsResponse({ data: [{ text: 'no id' }] }, ctx)).toThrow(QuarantineError);
  });
});

describe('compareTweetIds', () => {
  it('compares 64-bit ids as integers', () => {
    expect(compareTweetIds('9', '10')).toBe(-1);
    expect(compareTweetIds('1050295190470004737', '1050295190470004736')).toBe(1);
    expect(compareTweetIds('7', '7')).toBe(0);
  });
});

describe('rateLimitFromHeaders', () => {
  it('reads Headers and plain objects', () => {
    const h = new Headers({ 'x-rate-limit-remaining': '3', 'x-rate-limit-limit': '450', 'x-rate-limit-reset': '1700000000' });
    expect(rateLimitFromHeaders(h)).toEqual({ remaining: 3, limit: 450, resetAt: new Date(1_700_000_000_000) });
    expect(rateLimitFromHeaders({ 'X-Rate-Limit-Remaining': '0', 'x-rate-limit-reset': ['1700000100'] })).toEqual({
      remaining: 0,
      limit: null,
      resetAt: new Date(1_700_000_100_000),
    });
    expect(rateLimitFromHeaders({})).toEqual({ remaining: null, limit: null, resetAt: null });
  });

  it('waits for the reset when no call remains', () => {
    const now = new Date(1_700_000_000_000);
    expect(nextPollAt({ remaining: 0, limit: 10, resetAt: new Date(1_700_000_900_000) }, now).getTime()).toBe(1_700_000_900_000);
    expect(nextPollAt({ remaining: 5, limit: 10, resetAt: new Date(1_700_000_900_000) }, now).getTime()).toBe(1_700_000_060_000);
  });
});
