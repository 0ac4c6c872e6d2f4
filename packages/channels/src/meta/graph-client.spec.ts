import { ChannelValidationError, classifyProviderError, ProviderError } from '../social/provider-error';
import { fakeFetch } from '../social/testing/fake-fetch';
import { GRAPH_DEFAULT_BASE_URL, graphClient } from './graph-client';

describe('graphClient', () => {
  it('defaults to Graph v21.0 and sends a Messenger reply with messaging_type RESPONSE', async () => {
    const { calls, fetchImpl } = fakeFetch([{ status: 200, body: { recipient_id: '7000000000000001', message_id: 'm_sent-1' } }]);
    const client = graphClient({ pageAccessToken: 'page-token', fetch: fetchImpl });
    await expect(client.sendMessengerMessage('7000000000000001', 'We are on it')).resolves.toEqual({ providerMessageId: 'm_sent-1' });
    expect(GRAPH_DEFAULT_BASE_URL).toBe('https://graph.facebook.com/v21.0');
    expect(calls[0]).toMatchObject({
      url: 'https://graph.facebook.com/v21.0/me/messages',
      method: 'POST',
      body: { recipient: { id: '7000000000000001' }, messaging_type: 'RESPONSE', message: { text: 'We are on it' } },
    });
    expect(calls[0]?.headers.authorization).toBe('Bearer page-token');
  });

  it('sends an Instagram DM through the same Send API', async () => {
    const { calls, fetchImpl } = fakeFetch([{ status: 200, body: { recipient_id: '123', message_id: 'ig_m_1' } }]);
    const client = graphClient({ baseUrl: 'http://sandbox.test/v21.0', pageAccessToken: 't', fetch: fetchImpl });
    await expect(client.sendInstagramMessage('123', 'Shipped today')).resolves.toEqual({ providerMessageId: 'ig_m_1' });
    expect(calls[0]?.url).toBe('http://sandbox.test/v21.0/me/messages');
    expect(calls[0]?.body).toMatchObject({ recipient: { id: '123' }, message: { text: 'Shipped today' } });
  });

  it('replies to a Facebook comment with /comments and to an Instagram comment with /replies', async () => {
    const { calls, fetchImpl } = fakeFetch([
      { status: 200, body: { id: '200000000000003_300000000000099' } },
      { status: 200, body: { id: '17860000000000099' } },
    ]);
    const client = graphClient({ baseUrl: 'http://sandbox.test', pageAccessToken: 't', fetch: fetchImpl });
    await expect(client.replyToComment('200000000000003_300000000000004', 'Yes, in blue')).resolves.toEqual({
      providerMessageId: '200000000000003_300000000000099',
    });
    await expect(client.replyToInstagramComment('17860000000000004', 'Link in bio')).resolves.toEqual({ providerMessageId: '17860000000000099' });
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', 'http://sandbox.test/200000000000003_300000000000004/comments', { message: 'Yes, in blue' }],
      ['POST', 'http://sandbox.test/17860000000000004/replies', { message: 'Link in bio' }],
    ]);
  });

  it('replies to a mention in someone else\'s media with POST /{ig-user-id}/mentions (comment_id only for a comment mention)', async () => {
    const { calls, fetchImpl } = fakeFetch([
      { status: 200, body: { id: '17860000000000101' } },
      { status: 200, body: { id: '17860000000000102' } },
    ]);
    const client = graphClient({ baseUrl: 'http://sandbox.test/v21.0', pageAccessToken: 't', fetch: fetchImpl });
    await expect(client.replyToInstagramMention('17841400000000001', '17900000000000022', null, 'Thanks for the love!')).resolves.toEqual({
      providerMessageId: '17860000000000101',
    });
    await expect(client.replyToInstagramMention('17841400000000001', '17900000000000020', '17860000000000021', 'DM us')).resolves.toEqual({
      providerMessageId: '17860000000000102',
    });
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', 'http://sandbox.test/v21.0/17841400000000001/mentions', { media_id: '17900000000000022', message: 'Thanks for the love!' }],
      ['POST', 'http://sandbox.test/v21.0/17841400000000001/mentions', { media_id: '17900000000000020', comment_id: '17860000000000021', message: 'DM us' }],
    ]);
    expect(calls[0]?.headers.authorization).toBe('Bearer t');
  });

  it('classifies a refused mention reply like the other calls and checks the comment limit first', async () => {
    const { calls, fetchImpl } = fakeFetch([
      { status: 400, body: { error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4 } } },
      { status: 400, body: { error: { message: '(#10) Requires instagram_manage_comments', type: 'OAuthException', code: 10 } } },
    ]);
    const client = graphClient({ pageAccessToken: 't', fetch: fetchImpl });
    const reply = () => client.replyToInstagramMention('1', '2', null, 'hi').catch((e: unknown) => e as ProviderError);
    expect(await reply()).toMatchObject({ status: 400, classification: 'temporary', providerCode: '4' });
    expect(await reply()).toMatchObject({ status: 400, classification: 'permanent', providerCode: '10' });
    await expect(client.replyToInstagramMention('1', '2', null, 'x'.repeat(2201))).rejects.toMatchObject({ field: 'body' });
    expect(calls).toHaveLength(2);
  });

  it('classifies Graph errors: rate-limit codes and 5xx temporary, policy errors permanent', async () => {
    const { fetchImpl } = fakeFetch([
      { status: 400, body: { error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4, fbtrace_id: 'A1' } } },
      { status: 500, body: { error: { message: 'An unexpected error has occurred.', type: 'OAuthException', code: 1, is_transient: true } } },
      {
        status: 400,
        body: { error: { message: '(#10) This message is sent outside of allowed window.', type: 'OAuthException', code: 10, error_subcode: 2018278 } },
      },
      { status: 403, body: 'Forbidden' },
      new TypeError('fetch failed'),
    ]);
    const client = graphClient({ pageAccessToken: 't', fetch: fetchImpl });
    const send = () => client.sendMessengerMessage('1', 'hi').catch((e: unknown) => e as ProviderError);
    expect(await send()).toMatchObject({ status: 400, classification: 'temporary', providerCode: '4', providerMessage: '(#4) Application request limit reached' });
    expect(await send()).toMatchObject({ status: 500, classification: 'temporary' });
    const window = await send();
    expect(window).toMatchObject({ status: 400, classification: 'permanent', providerCode: '10/2018278' });
    expect((window as Error).message).toContain('outside of allowed window');
    expect(await send()).toMatchObject({ status: 403, classification: 'permanent', providerMessage: 'Forbidden' });
    const network = await send();
    expect(network).toMatchObject({ status: null, classification: 'temporary' });
    expect(classifyProviderError(network)).toBe('temporary');
  });

  it('validates text before calling', async () => {
    const { calls, fetchImpl } = fakeFetch([]);
    const client = graphClient({ pageAccessToken: 't', fetch: fetchImpl });
    await expect(client.sendMessengerMessage('1', ' ')).rejects.toBeInstanceOf(ChannelValidationError);
    await expect(client.sendInstagramMessage('1', 'x'.repeat(1001))).rejects.toMatchObject({ field: 'body' });
    await expect(client.replyToInstagramComment('1', 'x'.repeat(2201))).rejects.toMatchObject({ field: 'body' });
    expect(calls).toHaveLength(0);
  });

  it('fetches an Instagram mention by comment id or caption', async () => {
    const { calls, fetchImpl } = fakeFetch([
      {
        status: 200,
        body: {
          mentioned_comment: { id: '17860000000000021', text: '@acme help', username: 'dan', timestamp: '2023-11-14T22:20:00+0000', from: { id: '178', username: 'dan' } },
          id: '17841400000000001',
        },
      },
      { status: 200, body: { mentioned_media: { id: '17900000000000022', caption: 'Love @acme', username: 'eve', timestamp: '2023-11-14T22:21:00+0000' } } },
    ]);
    const client = graphClient({ baseUrl: 'http://sandbox.test', pageAccessToken: 't', fetch: fetchImpl });
    await expect(client.getInstagramMention({ igUserId: '17841400000000001', mediaId: '179', commentId: '17860000000000021' })).resolves.toEqual({
      id: '17860000000000021',
      mediaId: '179',
      text: '@acme help',
      username: 'dan',
      fromId: '178',
      timestamp: '2023-11-14T22:20:00+0000',
    });
    expect(decodeURIComponent(calls[0]?.url ?? '')).toContain('fields=mentioned_comment.comment_id(17860000000000021)');
    const caption = await client.getInstagramMention({ igUserId: '17841400000000001', mediaId: '17900000000000022', commentId: null });
    expect(caption).toMatchObject({ id: '17900000000000022', text: 'Love @acme', username: 'eve', fromId: null });
  });
});
