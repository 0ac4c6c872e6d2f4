import { ChannelValidationError, ProviderError } from '../social/provider-error';
import { fakeFetch } from '../social/testing/fake-fetch';
import mentionsV2 from './__fixtures__/mentions-v2.json';
import { oauth1Header } from './oauth1';
import { classifyXSendError, xClient } from './x-client';

describe('xClient', () => {
  it('posts a reply tweet and returns the new tweet id', async () => {
    const { calls, fetchImpl } = fakeFetch([{ status: 201, body: { data: { id: '1800000000000000001', text: 'Sorry!' } } }]);
    const client = xClient({ baseUrl: 'http://sandbox.test', bearerToken: 'user-token', fetch: fetchImpl });
    await expect(client.replyToTweet('Sorry!', '1050118621198921728')).resolves.toEqual({ providerMessageId: '1800000000000000001' });
    expect(calls[0]).toMatchObject({
      url: 'http://sandbox.test/2/tweets',
      method: 'POST',
      body: { text: 'Sorry!', reply: { in_reply_to_tweet_id: '1050118621198921728' } },
    });
    expect(calls[0]?.headers.authorization).toBe('Bearer user-token');
    expect(calls[0]?.headers['content-type']).toBe('application/json');
  });

  it('sends a DM and returns the DM event id', async () => {
    const { calls, fetchImpl } = fakeFetch([{ status: 201, body: { data: { dm_conversation_id: '1-2', dm_event_id: '1582838' } } }]);
    const client = xClient({ baseUrl: 'http://sandbox.test', bearerToken: 't', fetch: fetchImpl });
    await expect(client.sendDm('6253282', 'Checking now')).resolves.toEqual({ providerMessageId: '1582838' });
    expect(calls[0]).toMatchObject({ url: 'http://sandbox.test/2/dm_conversations/with/6253282/messages', method: 'POST', body: { text: 'Checking now' } });
  });

  it('refuses a public reply over 280 weighted characters before calling X, naming body', async () => {
    const { calls, fetchImpl } = fakeFetch([]);
    const client = xClient({ bearerToken: 't', fetch: fetchImpl });
    const err = await client.replyToTweet('x'.repeat(281), '1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelValidationError);
    expect((err as ChannelValidationError).field).toBe('body');
    expect((err as Error).message).toContain('280');
    expect(classifyXSendError(err)).toBe('permanent');
    expect(calls).toHaveLength(0);
    // 257 characters plus one URL (23) is exactly 280
    const { fetchImpl: ok } = fakeFetch([{ status: 201, body: { data: { id: '2' } } }]);
    await expect(xClient({ bearerToken: 't', fetch: ok }).replyToTweet(`${'y'.repeat(256)} https://example.com/${'z'.repeat(100)}`, '1')).resolves.toEqual({
      providerMessageId: '2',
    });
  });

  it('classifies 429 and 5xx as temporary with the provider message and retry delay', async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 120);
    const { fetchImpl } = fakeFetch([
      { status: 429, body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 }, headers: { 'x-rate-limit-reset': reset } },
      { status: 503, body: { errors: [{ message: 'Over capacity', code: 130 }] } },
    ]);
    const client = xClient({ bearerToken: 't', fetch: fetchImpl });
    const limited = (await client.replyToTweet('hi', '1').catch((e: unknown) => e)) as ProviderError;
    expect(limited).toBeInstanceOf(ProviderError);
    expect(limited).toMatchObject({ status: 429, classification: 'temporary', providerMessage: 'Too Many Requests' });
    expect(limited.retryAfterSeconds).toBeGreaterThan(100);
    const over = (await client.sendDm('1', 'hi').catch((e: unknown) => e)) as ProviderError;
    expect(over).toMatchObject({ status: 503, classification: 'temporary', providerMessage: 'Over capacity', providerCode: '130' });
  });

  it('classifies other 4xx as permanent and network failures as temporary', async () => {
    const { fetchImpl } = fakeFetch([
      {
        status: 403,
        body: { detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 },
      },
      new TypeError('fetch failed'),
    ]);
    const client = xClient({ bearerToken: 't', fetch: fetchImpl });
    const dup = (await client.replyToTweet('hi', '1').catch((e: unknown) => e)) as ProviderError;
    expect(dup).toMatchObject({ status: 403, classification: 'permanent', providerMessage: 'You are not allowed to create a Tweet with duplicate content.' });
    expect(classifyXSendError(dup)).toBe('permanent');
    const net = (await client.replyToTweet('hi', '1').catch((e: unknown) => e)) as ProviderError;
    expect(net).toMatchObject({ status: null, classification: 'temporary', providerMessage: 'fetch failed' });
  });

  it('polls mentions and reports the rate limit', async () => {
    const { calls, fetchImpl } = fakeFetch([
      { status: 200, body: mentionsV2, headers: { 'x-rate-limit-remaining': '9', 'x-rate-limit-limit': '10', 'x-rate-limit-reset': '1700000000' } },
    ]);
    const client = xClient({ baseUrl: 'http://sandbox.test', bearerToken: 'app', fetch: fetchImpl });
    const page = await client.getMentions({ userId: '2244994945', sinceId: '100' });
    expect(new URL(calls[0]?.url ?? '').searchParams.get('since_id')).toBe('100');
    expect(page.messages).toHaveLength(3);
    expect(page.newestId).toBe('1050295190470004737');
    expect(page.rateLimit).toEqual({ remaining: 9, limit: 10, resetAt: new Date(1_700_000_000_000) });
  });

  it('signs with OAuth 1.0a when given user credentials', async () => {
    const { calls, fetchImpl } = fakeFetch([{ status: 201, body: { data: { id: '3' } } }]);
    const oauth1 = { consumerKey: 'ck', consumerSecret: 'cs', accessToken: 'at', accessTokenSecret: 'ats' };
    await xClient({ baseUrl: 'http://sandbox.test', oauth1, fetch: fetchImpl }).replyToTweet('hi', '1');
    const auth = calls[0]?.headers.authorization ?? '';
    expect(auth).toMatch(/^OAuth /);
    expect(auth).toContain('oauth_consumer_key="ck"');
    expect(auth).toContain('oauth_token="at"');
    expect(auth).toContain('oauth_signature_method="HMAC-SHA1"');
    expect(auth).toMatch(/oauth_signature="[^"]+"/);
  });

  it('needs some credentials', () => {
    expect(() => xClient({})).toThrow('bearerToken or oauth1');
  });
});

describe('oauth1Header', () => {
  it('reproduces the OAuth 1.0a example from the X documentation', () => {
    // "Creating a signature" example from developer.x.com (POST statuses/update).
    const header = oauth1Header(
      'POST',
      'https://api.twitter.com/1.1/statuses/update.json?include_entities=true&status=' + encodeURIComponent('Hello Ladies + Gentlemen, a signed OAuth request!'),
      {
        consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
        consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
        accessToken: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
        accessTokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
      },
      () => 1318622958 * 1000,
      () => 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
    );
    expect(header).toContain(`oauth_signature="${encodeURIComponent('hCtSmYh+iHYCEqBWrE7C7hYmtUk=')}"`);
  });
});
