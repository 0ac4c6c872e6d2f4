import { QuarantineError } from '../adapter';
import { ChannelValidationError, ProviderError } from '../social/provider-error';
import igComment from './__fixtures__/instagram-comment.json';
import igDm from './__fixtures__/instagram-dm.json';
import igMentions from './__fixtures__/instagram-mentions.json';
import messenger from './__fixtures__/messenger-message.json';
import feedComment from './__fixtures__/page-feed-comment.json';
import type { GraphClient } from './graph-client';
import { createFacebookAdapter, createInstagramAdapter, splitMetaWebhook } from './meta.adapter';

const ownIds = ['105000000000001', '17841400000000001'];
const ctx = { inboxId: 'inbox-fb', maxAttachmentBytes: 0 };

function client(): GraphClient & Record<keyof GraphClient, jest.Mock> {
  return {
    sendMessengerMessage: jest.fn(async () => ({ providerMessageId: 'm1' })),
    sendInstagramMessage: jest.fn(async () => ({ providerMessageId: 'ig1' })),
    replyToComment: jest.fn(async () => ({ providerMessageId: 'c1' })),
    replyToInstagramComment: jest.fn(async () => ({ providerMessageId: 'igc1' })),
    replyToInstagramMention: jest.fn(async () => ({ providerMessageId: 'igm1' })),
    getInstagramMention: jest.fn(),
  };
}

describe('splitMetaWebhook', () => {
  it('splits into one body per customer event, leaving out echoes, own comments, edits and reactions', () => {
    expect(splitMetaWebhook(messenger, { ownIds }).map((e) => e.externalId)).toEqual(['m_AbCdEf-1', 'm_AbCdEf-2']);
    expect(splitMetaWebhook(feedComment, { ownIds }).map((e) => e.externalId)).toEqual(['200000000000003_300000000000004', '200000000000003_300000000000006']);
    expect(splitMetaWebhook(igDm, { ownIds }).map((e) => e.externalId)).toEqual(['aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx']);
  });

  it('keeps a malformed event so it gets quarantined', () => {
    const bad = { object: 'page', entry: [{ id: '105000000000001', changes: [{ field: 'feed', value: { item: 'comment', verb: 'add', comment_id: 'c' } }] }] };
    expect(splitMetaWebhook(bad, { ownIds })).toHaveLength(1);
  });
});

describe('Meta adapters', () => {
  it('key, parse and send Facebook events', async () => {
    const c = client();
    const adapter = createFacebookAdapter({ client: c, ownIds });
    const [first] = splitMetaWebhook(messenger, { ownIds });
    expect(adapter.idempotencyKey(first?.payload ?? {}, 'inbox-fb')).toBe('inbox-fb:facebook:m_AbCdEf-1');
    const message = await adapter.parse(first?.payload ?? {}, ctx);
    expect(message.conversationKey).toBe('fb-dm:7000000000000001');
    await adapter.send({ text: 'hi', target: message.replyTarget ?? { kind: 'email', id: '' } });
    expect(c.sendMessengerMessage).toHaveBeenCalledWith('7000000000000001', 'hi');
    await adapter.send({ text: 'hello', target: { kind: 'facebook-comment', id: 'c9' } });
    expect(c.replyToComment).toHaveBeenCalledWith('c9', 'hello');
    await expect(adapter.send({ text: 'x', target: { kind: 'instagram-dm', id: '1' } })).rejects.toBeInstanceOf(ChannelValidationError);
    await expect(adapter.parse(messenger, ctx)).rejects.toThrow('more than one');
    await expect(adapter.parse(igComment, ctx)).rejects.toThrow('sent to the facebook adapter');
    expect(() => adapter.idempotencyKey(messenger, 'i')).toThrow(QuarantineError);
  });

  it('key, parse and send Instagram events', async () => {
    const c = client();
    const adapter = createInstagramAdapter({ client: c, ownIds });
    const [comment] = splitMetaWebhook(igComment, { ownIds });
    expect(adapter.idempotencyKey(comment?.payload ?? {}, 'inbox-ig')).toBe('inbox-ig:instagram:17860000000000004');
    const message = await adapter.parse(comment?.payload ?? {}, ctx);
    await adapter.send({ text: 'Link in bio', target: message.replyTarget ?? { kind: 'email', id: '' } });
    expect(c.replyToInstagramComment).toHaveBeenCalledWith('17860000000000004', 'Link in bio');
    await adapter.send({ text: 'dm', target: { kind: 'instagram-dm', id: '123' } });
    expect(c.sendInstagramMessage).toHaveBeenCalledWith('123', 'dm');
    expect(adapter.capabilities.canInitiate).toBe(false);
  });
});

describe('Instagram mentions (ids only; the text is looked up while parsing)', () => {
  const [commentMention, captionMention] = splitMetaWebhook(igMentions, { ownIds });

  it('are kept by the split, keyed by the comment id or, for a caption, the media id', () => {
    expect(splitMetaWebhook(igMentions, { ownIds }).map((e) => e.externalId)).toEqual(['17860000000000021', '17900000000000022']);
    expect(createInstagramAdapter({ client: client(), ownIds }).idempotencyKey(captionMention!.payload, 'inbox-ig')).toBe('inbox-ig:instagram:17900000000000022');
  });

  it('a caption mention becomes a message with the caption as text and the mentioning user as author', async () => {
    const c = client();
    c.getInstagramMention.mockResolvedValue({ id: '17900000000000022', mediaId: '17900000000000022', text: 'Love my new @acme mug', username: 'Eve', fromId: null, timestamp: '2023-11-14T22:21:00+0000' });
    const message = await createInstagramAdapter({ client: c, ownIds }).parse(captionMention!.payload, ctx);
    expect(c.getInstagramMention).toHaveBeenCalledWith({ igUserId: '17841400000000001', mediaId: '17900000000000022', commentId: null });
    expect(message).toMatchObject({ channel: 'instagram', externalId: '17900000000000022', text: 'Love my new @acme mug', sender: { kind: 'instagram', value: '@eve', displayName: '@Eve' }, isPublic: true });
  });

  it('uses the resolver it is given (the inbox credentials), with the parse context', async () => {
    const resolve = jest.fn(async () => ({ id: '17860000000000021', mediaId: '17900000000000020', text: '@acme help', username: 'dan', fromId: '178', timestamp: null }));
    const message = await createInstagramAdapter({ client: client(), ownIds, resolveInstagramMention: resolve }).parse(commentMention!.payload, ctx);
    expect(resolve).toHaveBeenCalledWith({ igUserId: '17841400000000001', mediaId: '17900000000000020', commentId: '17860000000000021' }, ctx);
    expect(message.sender.value).toBe('178');
  });

  it('a permanent lookup failure quarantines with the reason; a temporary one is thrown for a retry', async () => {
    const c = client();
    const adapter = createInstagramAdapter({ client: c, ownIds });
    c.getInstagramMention.mockRejectedValueOnce(new ProviderError({ provider: 'graph', status: 404, classification: 'permanent', providerMessage: 'media does not exist' }));
    const refused = adapter.parse(captionMention!.payload, ctx);
    await expect(refused).rejects.toBeInstanceOf(QuarantineError);
    await expect(refused).rejects.toMatchObject({ reason: 'instagram mention lookup of the caption of media 17900000000000022 failed (HTTP 404): media does not exist' });
    const busy = new ProviderError({ provider: 'graph', status: 503, classification: 'temporary', providerMessage: 'busy' });
    c.getInstagramMention.mockRejectedValueOnce(busy);
    await expect(adapter.parse(captionMention!.payload, ctx)).rejects.toBe(busy);
  });

  it('a mention is answered through POST /{ig-user-id}/mentions, not /replies: the target names the media (and the comment)', async () => {
    const c = client();
    c.getInstagramMention
      .mockResolvedValueOnce({ id: '17900000000000022', mediaId: '17900000000000022', text: 'Love my new @acme mug', username: 'Eve', fromId: null, timestamp: null })
      .mockResolvedValueOnce({ id: '17860000000000021', mediaId: '17900000000000020', text: '@acme help', username: 'dan', fromId: '178', timestamp: null });
    const adapter = createInstagramAdapter({ client: c, ownIds, igUserId: '17841400000000001' });
    const caption = await adapter.parse(captionMention!.payload, ctx);
    const comment = await adapter.parse(commentMention!.payload, ctx);
    expect(caption.replyTarget).toEqual({ kind: 'instagram-mention', id: '17900000000000022' });
    expect(comment.replyTarget).toEqual({ kind: 'instagram-mention', id: '17900000000000020:17860000000000021' });

    await expect(adapter.send({ text: 'Thank you!', target: caption.replyTarget! })).resolves.toEqual({ providerMessageId: 'igm1' });
    await adapter.send({ text: 'Sent you a DM', target: comment.replyTarget! });
    expect(c.replyToInstagramMention.mock.calls).toEqual([
      ['17841400000000001', '17900000000000022', null, 'Thank you!'],
      ['17841400000000001', '17900000000000020', '17860000000000021', 'Sent you a DM'],
    ]);
    expect(c.replyToInstagramComment).not.toHaveBeenCalled();
  });

  it('refuses a mention reply it cannot address: no igUserId on the inbox, a malformed target, or the Facebook channel', async () => {
    const c = client();
    const target = { kind: 'instagram-mention', id: '17900000000000022' } as const;
    await expect(createInstagramAdapter({ client: c, ownIds }).send({ text: 'hi', target })).rejects.toMatchObject({ field: 'replyTarget' });
    const adapter = createInstagramAdapter({ client: c, ownIds, igUserId: '17841400000000001' });
    await expect(adapter.send({ text: 'hi', target: { kind: 'instagram-mention', id: '1:2:3' } })).rejects.toBeInstanceOf(ChannelValidationError);
    await expect(createFacebookAdapter({ client: c, ownIds, igUserId: '17841400000000001' }).send({ text: 'hi', target })).rejects.toBeInstanceOf(ChannelValidationError);
    expect(c.replyToInstagramMention).not.toHaveBeenCalled();
    expect(adapter.classifySendError(new ChannelValidationError('replyTarget', 'x'))).toBe('permanent');
  });
});
