import { createHmac } from 'node:crypto';
import { metaVerifyChallenge, verifyMetaSignature } from './signature';

describe('metaVerifyChallenge', () => {
  const query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'my-verify-token', 'hub.challenge': '1158201444' };

  it('echoes the challenge when mode and token match', () => {
    expect(metaVerifyChallenge(query, 'my-verify-token')).toBe('1158201444');
    expect(metaVerifyChallenge(new URLSearchParams(query), 'my-verify-token')).toBe('1158201444');
  });

  it.each([
    ['a wrong token', { ...query, 'hub.verify_token': 'nope' }, 'my-verify-token'],
    ['a wrong mode', { ...query, 'hub.mode': 'unsubscribe' }, 'my-verify-token'],
    ['no challenge', { 'hub.mode': 'subscribe', 'hub.verify_token': 'my-verify-token' }, 'my-verify-token'],
    ['an empty configured token', { ...query, 'hub.verify_token': '' }, ''],
  ])('answers null for %s', (_label, q, token) => {
    expect(metaVerifyChallenge(q, token)).toBeNull();
  });
});

describe('verifyMetaSignature', () => {
  const secret = 'app-secret';
  const body = Buffer.from('{"object":"page","entry":[]}');
  const hex = createHmac('sha256', secret).update(body).digest('hex');

  it('accepts the right signature, hex in either case', () => {
    expect(verifyMetaSignature(body, `sha256=${hex}`, secret)).toBe(true);
    expect(verifyMetaSignature(body, `sha256=${hex.toUpperCase()}`, secret)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['sha1 only', `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`],
    ['base64 instead of hex', `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`],
    ['short', `sha256=${hex.slice(2)}`],
    ['other secret', `sha256=${createHmac('sha256', 'x').update(body).digest('hex')}`],
  ])('refuses a %s header', (_label, header) => {
    expect(verifyMetaSignature(body, header, secret)).toBe(false);
  });

  it('refuses a re-serialized body (the raw bytes are signed)', () => {
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 1));
    expect(verifyMetaSignature(reserialized, `sha256=${hex}`, secret)).toBe(false);
  });
});
