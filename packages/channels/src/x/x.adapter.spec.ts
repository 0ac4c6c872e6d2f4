import { QuarantineError } from '../adapter';
import { ChannelValidationError, ProviderError } from '../social/provider-error';
import directMessage from './__fixtures__/direct-message.json';
import mentionsV2 from './__fixtures__/mentions-v2.json';
import mention from './__fixtures__/tweet-create-mention.json';
import { splitXWebhook } from './parse-webhook';
import { createXAdapter } from './x.adapter';
import type { XClient } from './x-client';

function client(): XClient & Record<keyof XClient, jest.Mock> {
  return {
    replyToTweet: jest.fn(async () => ({ providerMessageId: 't1' })),
    sendDm: jest.fn(async () => ({ providerMessageId: 'd1' })),
    getMentions: jest.fn(),
  };
}

const ctx = { inboxId: 'inbox-x', maxAttachmentBytes: 0 };

describe('createXAdapter', () => {
  it('keys and parses a split webhook event and a polled v2 tweet to the same key', async () => {
    const adapter = createXAdapter({ client: client(), ownUserId: '2244994945' });
    const [event] = splitXWebhook(mention, { ownUserId: '2244994945' });
    const polled = { data: mentionsV2.data[1], includes: mentionsV2.includes };
    expect(adapter.idempotencyKey(event?.payload ?? {}, 'inbox-x')).toBe('inbox-x:x:1050118621198921728');
    expect(adapter.idempotencyKey(polled, 'inbox-x')).toBe('inbox-x:x:1050118621198921728');
    const a = await adapter.parse(event?.payload ?? {}, ctx);
    const b = await adapter.parse(polled, ctx);
    expect(a.externalId).toBe(b.externalId);
    expect(b.conversationKey).toBe('1050118621198921728');
  });

  it('quarantines an event with no customer message or several', async () => {
    const adapter = createXAdapter({ client: client(), ownUserId: '2244994945' });
    await expect(adapter.parse({ for_user_id: '1', favorite_events: [] }, ctx)).rejects.toBeInstanceOf(QuarantineError);
    const two = { ...mention, tweet_create_events: [...mention.tweet_create_events, { ...mention.tweet_create_events[0], id_str: '2' }] };
    await expect(adapter.parse(two, ctx)).rejects.toThrow('more than one');
    expect(() => adapter.idempotencyKey(two, 'i')).toThrow(QuarantineError);
    const [dm] = splitXWebhook(directMessage, { ownUserId: '2244994945' });
    expect((await adapter.parse(dm?.payload ?? {}, ctx)).conversationKey).toBe('dm:6253282');
  });

  it('sends to the reply target and refuses targets of other channels', async () => {
    const c = client();
    const adapter = createXAdapter({ client: c, ownUserId: '1' });
    await expect(adapter.send({ text: 'hi', target: { kind: 'x-tweet', id: '55' } })).resolves.toEqual({ providerMessageId: 't1' });
    expect(c.replyToTweet).toHaveBeenCalledWith('hi', '55');
    await expect(adapter.send({ text: 'hi', target: { kind: 'x-dm', id: '66' } })).resolves.toEqual({ providerMessageId: 'd1' });
    expect(c.sendDm).toHaveBeenCalledWith('66', 'hi');
    await expect(adapter.send({ text: 'hi', target: { kind: 'messenger', id: '1' } })).rejects.toBeInstanceOf(ChannelValidationError);
    expect(adapter.publicTextLimit).toBe(280);
    expect(adapter.classifySendError(new ProviderError({ provider: 'x', status: 500, classification: 'temporary', providerMessage: 'x' }))).toBe('temporary');
    expect(adapter.classifySendError(new ChannelValidationError('body', 'too long'))).toBe('permanent');
  });
});
