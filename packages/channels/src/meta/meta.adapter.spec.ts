import { QuarantineError } from '../adapter';
import { ChannelValidationError } from '../social/provider-error';
import igComment from './__fixtures__/instagram-comment.json';
import igDm from './__fixtures__/instagram-dm.json';
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
