import { SOCIAL_REPLY_MODES, replyTextLength } from '@desk/contracts';
import { xWeightedLength } from '@desk/channels';
import { isPublicTarget, socialDriver } from '../channels/social-channels';

// The console's composer counts against SOCIAL_REPLY_MODES (contracts); the server refuses by the
// channel drivers. These must say the same, or the agent is told "fits" and then gets a 400.
describe('SOCIAL_REPLY_MODES matches what the server accepts', () => {
  const targets = {
    x: { public: { kind: 'x-tweet', id: '1' }, private: { kind: 'x-dm', id: '2' } },
    facebook: { public: { kind: 'facebook-comment', id: '1' }, private: { kind: 'messenger', id: '2' } },
    instagram: { public: { kind: 'instagram-comment', id: '1' }, private: { kind: 'instagram-dm', id: '2' } },
  } as const;
  // every public target kind of a network counts against the composer's one public limit
  const publicKinds = { x: ['x-tweet'], facebook: ['facebook-comment'], instagram: ['instagram-comment', 'instagram-mention'] } as const;

  for (const channel of ['x', 'facebook', 'instagram'] as const) {
    const modes = SOCIAL_REPLY_MODES[channel]!;
    const driver = socialDriver(channel)!;

    it(`${channel}: public and private limits are the driver's, to the character`, () => {
      for (const side of ['public', 'private'] as const) {
        const target = targets[channel][side];
        if (side === 'private') expect(target.kind).toBe(driver.privateKind);
        const max = modes[side].limit;
        expect(() => driver.validate('a'.repeat(max), target)).not.toThrow();
        expect(() => driver.validate('a'.repeat(max + 1), target)).toThrow(/limited to/);
      }
    });

    it(`${channel}: every public reply kind is public and has the composer's public limit`, () => {
      expect([...driver.publicKinds].sort()).toEqual([...publicKinds[channel]].sort());
      expect(isPublicTarget(driver, { kind: driver.privateKind })).toBe(false);
      const max = modes.public.limit;
      for (const kind of driver.publicKinds) {
        expect(isPublicTarget(driver, { kind })).toBe(true);
        expect(() => driver.validate('a'.repeat(max), { kind, id: '1' })).not.toThrow();
        expect(() => driver.validate('a'.repeat(max + 1), { kind, id: '1' })).toThrow(/limited to/);
      }
    });

    it(`${channel}: a private reply without an earlier private message is offered only where the server allows it`, () => {
      expect(modes.privateToSender).toBe(driver.privateToSender);
    });
  }

  it('counts X public replies like the X adapter (URLs as 23, code points otherwise)', () => {
    for (const text of ['hello', 'see https://example.com/a/very/long/path?x=1 and http://b.co', '😀 émoji\u0065\u0301', 'a'.repeat(300)]) {
      expect(replyTextLength('x', true, text)).toBe(xWeightedLength(text));
    }
    expect(replyTextLength('x', false, 'https://example.com/a/very/long/path')).toBe(36);
  });
});
