import { createHmac } from 'node:crypto';
import { verifyXSignature, xCrcResponse } from './signature';

const secret = 'consumer-secret';

describe('xCrcResponse', () => {
  it('answers sha256= + base64 HMAC-SHA256 of the token with the consumer secret', () => {
    const expected = createHmac('sha256', secret).update('crc-token-123').digest('base64');
    expect(xCrcResponse('crc-token-123', secret)).toEqual({ response_token: `sha256=${expected}` });
  });

  it('matches a known vector', () => {
    // HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog")
    expect(xCrcResponse('The quick brown fox jumps over the lazy dog', 'key').response_token).toBe(
      `sha256=${Buffer.from('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8', 'hex').toString('base64')}`,
    );
  });
});

describe('verifyXSignature', () => {
  const body = Buffer.from('{"for_user_id":"1","tweet_create_events":[]}');
  const good = `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;

  it('accepts the right signature', () => {
    expect(verifyXSignature(body, good, secret)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['no prefix', good.slice('sha256='.length)],
    ['wrong algorithm', good.replace('sha256=', 'sha1=')],
    ['truncated', good.slice(0, -4)],
    ['not base64', 'sha256=!!!notbase64!!!'],
    ['signed with another secret', `sha256=${createHmac('sha256', 'other').update(body).digest('base64')}`],
  ])('refuses a %s signature', (_label, header) => {
    expect(verifyXSignature(body, header, secret)).toBe(false);
  });

  it('refuses a tampered body', () => {
    expect(verifyXSignature(Buffer.from(body.toString().replace('"1"', '"2"')), good, secret)).toBe(false);
  });

  it('refuses everything when the secret is empty', () => {
    expect(verifyXSignature(body, `sha256=${createHmac('sha256', '').update(body).digest('base64')}`, '')).toBe(false);
  });
});
