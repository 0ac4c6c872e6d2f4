import { ChannelValidationError } from '@desk/channels';
import { MetaInboxSettings, socialDriver, XInboxSettings } from './social-channels';

describe('social channel drivers', () => {
  it('serve x, facebook and instagram only', () => {
    expect(['x', 'facebook', 'instagram'].map((k) => socialDriver(k)?.kind)).toEqual(['x', 'facebook', 'instagram']);
    expect(socialDriver('email')).toBeNull();
    expect(socialDriver('webform')).toBeNull();
  });

  it('limit a public X reply to 280 weighted characters and name the body field', () => {
    const x = socialDriver('x')!;
    expect(() => x.validate('a'.repeat(280), { kind: 'x-tweet', id: '1' })).not.toThrow();
    const err = (() => {
      try {
        x.validate('a'.repeat(281), { kind: 'x-tweet', id: '1' });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ChannelValidationError);
    expect((err as ChannelValidationError).field).toBe('body');
    expect(() => x.validate('a'.repeat(281), { kind: 'x-dm', id: '1' })).not.toThrow();
    expect(() => socialDriver('instagram')!.validate('a'.repeat(1001), { kind: 'instagram-dm', id: '1' })).toThrow(ChannelValidationError);
    expect(() => socialDriver('facebook')!.validate('   ', { kind: 'messenger', id: '1' })).toThrow(ChannelValidationError);
  });

  it('read the inbox settings strictly enough to refuse a webhook without secrets', () => {
    expect(XInboxSettings.safeParse({ userId: '1', consumerSecret: 's' }).data).toMatchObject({ webhook: true, pollMentions: false });
    expect(XInboxSettings.safeParse({ userId: '1' }).success).toBe(false);
    expect(MetaInboxSettings.safeParse({ appSecret: 'a', verifyToken: 'v' }).success).toBe(false);
    expect(socialDriver('facebook')!.ownIds({ appSecret: 'a', verifyToken: 'v', pageAccessToken: 't', pageId: '9' })).toEqual(['9']);
  });
});
