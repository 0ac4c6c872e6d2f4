import { QuarantineError } from '../adapter';
import igComment from './__fixtures__/instagram-comment.json';
import igDm from './__fixtures__/instagram-dm.json';
import igMentions from './__fixtures__/instagram-mentions.json';
import messenger from './__fixtures__/messenger-message.json';
import feedComment from './__fixtures__/page-feed-comment.json';
import pageMention from './__fixtures__/page-mention.json';
import {
  instagramMentionLookups,
  instagramMentionTargetId,
  instagramMentionToNormalized,
  metaTime,
  parseInstagramMentionTargetId,
  parseMetaWebhook,
} from './parse-webhook';

const PAGE = '105000000000001';
const IG = '17841400000000001';
const ctx = { ownIds: [PAGE, IG] };

describe('parseMetaWebhook: Messenger', () => {
  it('keeps customer messages, drops echoes and deliveries', () => {
    const messages = parseMetaWebhook(messenger, ctx);
    expect(messages.map((m) => m.externalId)).toEqual(['m_AbCdEf-1', 'm_AbCdEf-2']);
    expect(messages[0]).toMatchObject({
      channel: 'facebook',
      sender: { kind: 'facebook', value: '7000000000000001', displayName: null },
      text: 'Hello, my parcel is late',
      isPublic: false,
      conversationKey: 'fb-dm:7000000000000001',
      replyTarget: { kind: 'messenger', id: '7000000000000001' },
      recipientAccountId: PAGE,
    });
    expect(messages[0]?.sentAt?.toISOString()).toBe(new Date(1700000000123).toISOString());
    expect(messages[1]?.text).toBe('[image]');
  });
});

describe('parseMetaWebhook: Page feed', () => {
  it('threads comments per post and per customer, drops our own comment, edits and reactions', () => {
    const messages = parseMetaWebhook(feedComment, ctx);
    expect(messages.map((m) => m.externalId)).toEqual(['200000000000003_300000000000004', '200000000000003_300000000000006']);
    expect(messages[0]).toMatchObject({
      channel: 'facebook',
      sender: { kind: 'facebook', value: '6000000000000002', displayName: 'Jane Customer', name: 'Jane Customer' },
      text: 'Does this come in blue?',
      isPublic: true,
      conversationKey: 'fb-post:105000000000001_200000000000003:6000000000000002',
      replyTarget: { kind: 'facebook-comment', id: '200000000000003_300000000000004' },
    });
    expect(messages[0]?.sentAt?.toISOString()).toBe('2023-11-14T22:15:00.000Z');
    // top-level comment: its parent is the post, so no inReplyTo; a reply names its parent comment
    expect(messages[0]?.threading.inReplyTo).toBeNull();
    expect(messages[1]?.threading.inReplyTo).toBe('200000000000003_300000000000005');
    expect(messages[1]?.conversationKey).toBe(messages[0]?.conversationKey);
  });

  it('turns a visitor post tagging the page and a mention into public messages', () => {
    const messages = parseMetaWebhook(pageMention, ctx);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({
      externalId: '6000000000000007_400000000000008',
      sender: { kind: 'facebook', value: '6000000000000007', displayName: 'Bob Visitor' },
      conversationKey: 'fb-post:6000000000000007_400000000000008:6000000000000007',
      replyTarget: { kind: 'facebook-comment', id: '6000000000000007_400000000000008' },
      participants: [PAGE],
      isPublic: true,
    });
    expect(messages[1]).toMatchObject({
      externalId: '400000000000011_500000000000012',
      sender: { kind: 'facebook', value: '6000000000000010', displayName: 'Carol' },
      text: 'Acme never answered my email',
      conversationKey: 'fb-post:6000000000000010_400000000000011:6000000000000010',
      replyTarget: { kind: 'facebook-comment', id: '400000000000011_500000000000012' },
    });
  });
});

describe('parseMetaWebhook: Instagram', () => {
  it('keeps DMs, drops echoes, reads and deletions', () => {
    const messages = parseMetaWebhook(igDm, ctx);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      channel: 'instagram',
      externalId: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx',
      sender: { kind: 'instagram', value: '1230000000000001', displayName: null },
      text: 'Is my order shipped?',
      isPublic: false,
      conversationKey: 'ig-dm:1230000000000001',
      replyTarget: { kind: 'instagram-dm', id: '1230000000000001' },
      recipientAccountId: IG,
    });
  });

  it('keeps customer comments per media and customer, drops our own reply', () => {
    const messages = parseMetaWebhook(igComment, ctx);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      channel: 'instagram',
      externalId: '17860000000000004',
      sender: { kind: 'instagram', value: '1780000000000002', displayName: '@jane.customer' },
      text: 'Where is the link to buy this?',
      isPublic: true,
      conversationKey: 'ig-media:17900000000000003:1780000000000002',
      replyTarget: { kind: 'instagram-comment', id: '17860000000000004' },
    });
  });

  it('leaves mentions to lookups (they carry ids only)', () => {
    expect(parseMetaWebhook(igMentions, ctx)).toEqual([]);
    expect(instagramMentionLookups(igMentions)).toEqual([
      { igUserId: IG, mediaId: '17900000000000020', commentId: '17860000000000021' },
      { igUserId: IG, mediaId: '17900000000000022', commentId: null },
    ]);
    expect(instagramMentionLookups(messenger)).toEqual([]);
  });

  it('makes a fetched mention a public message', () => {
    const m = instagramMentionToNormalized(
      { id: '17860000000000021', mediaId: '17900000000000020', text: '@acme help!', username: 'Dan', fromId: null, timestamp: '2023-11-14T22:20:00+0000' },
      IG,
    );
    expect(m).toMatchObject({
      externalId: '17860000000000021',
      sender: { kind: 'instagram', value: '@dan', displayName: '@Dan' },
      conversationKey: 'ig-media:17900000000000020:@dan',
      // someone else's media: answered through POST /{ig-user-id}/mentions, never /replies
      replyTarget: { kind: 'instagram-mention', id: '17900000000000020:17860000000000021' },
      isPublic: true,
    });
    expect(m.sentAt?.toISOString()).toBe('2023-11-14T22:20:00.000Z');
    expect(() => instagramMentionToNormalized({ id: '1', mediaId: '2', text: '', username: null, fromId: null, timestamp: null }, IG)).toThrow(QuarantineError);
  });

  it('targets a caption mention by its media alone', () => {
    const m = instagramMentionToNormalized({ id: '17900000000000022', mediaId: '17900000000000022', text: 'Love @acme', username: 'eve', fromId: null, timestamp: null }, IG);
    expect(m.replyTarget).toEqual({ kind: 'instagram-mention', id: '17900000000000022' });
  });

  it('encodes and decodes mention reply targets', () => {
    expect(parseInstagramMentionTargetId(instagramMentionTargetId('179', null))).toEqual({ mediaId: '179', commentId: null });
    expect(parseInstagramMentionTargetId(instagramMentionTargetId('179', '178'))).toEqual({ mediaId: '179', commentId: '178' });
    for (const bad of ['', ':178', '179:', '1:2:3']) expect(parseInstagramMentionTargetId(bad)).toBeNull();
  });
});

describe('parseMetaWebhook: errors', () => {
  it('quarantines unknown objects and malformed events', () => {
    expect(() => parseMetaWebhook({ object: 'whatsapp_business_account', entry: [] }, ctx)).toThrow(QuarantineError);
    expect(() => parseMetaWebhook(null, ctx)).toThrow(QuarantineError);
    expect(() => parseMetaWebhook({ object: 'page', entry: [{ id: PAGE, messaging: [{ sender: { id: '1' }, message: { text: 'no mid' } }] }] }, ctx)).toThrow('mid');
    expect(() =>
      parseMetaWebhook({ object: 'page', entry: [{ id: PAGE, changes: [{ field: 'feed', value: { item: 'comment', verb: 'add', post_id: 'p', comment_id: 'c' } }] }] }, ctx),
    ).toThrow('without sender');
    expect(() => parseMetaWebhook({ object: 'instagram', entry: [{ id: IG, changes: [{ field: 'comments', value: { id: '1' } }] }] }, ctx)).toThrow(QuarantineError);
  });

  it('reads Meta time formats', () => {
    expect(metaTime(1700000100)?.toISOString()).toBe('2023-11-14T22:15:00.000Z');
    expect(metaTime(1700000100000)?.toISOString()).toBe('2023-11-14T22:15:00.000Z');
    expect(metaTime('1700000100')?.toISOString()).toBe('2023-11-14T22:15:00.000Z');
    expect(metaTime('2023-11-14T22:15:00+0000')?.toISOString()).toBe('2023-11-14T22:15:00.000Z');
    expect(metaTime('soon')).toBeNull();
  });
});
