import {
  buildMarker,
  extractMarker,
  extractPlusToken,
  extractSubjectNumber,
  newMessageId,
  parseMessageIdList,
  replyAddress,
  replySubject,
  signThreadToken,
  verifyThreadToken,
  withThreadNumber,
} from './threading';

const SECRET = 'test-secret';

describe('thread tokens', () => {
  it('signs as <number>.<16 hex> and verifies back to the number', () => {
    const token = signThreadToken(4242, SECRET);
    expect(token).toMatch(/^4242\.[0-9a-f]{16}$/);
    expect(token).toBe('4242.e3b77be433173022'); // same value as the corpus fixture 33
    expect(verifyThreadToken(token, SECRET)).toBe(4242);
    expect(verifyThreadToken(token.toUpperCase(), SECRET)).toBe(4242);
  });

  it('rejects a forged signature', () => {
    expect(verifyThreadToken('4242.0000000000000000', SECRET)).toBeNull();
  });

  it('rejects a tampered number carrying another thread’s signature', () => {
    const sig = signThreadToken(4242, SECRET).split('.')[1];
    expect(verifyThreadToken(`4243.${sig}`, SECRET)).toBeNull();
  });

  it('rejects a token signed with another secret', () => {
    expect(verifyThreadToken(signThreadToken(7, 'other-secret'), SECRET)).toBeNull();
  });

  it('rejects malformed tokens', () => {
    for (const t of ['', '42', '42.', '.abcdef0123456789', '42.abcdef012345678', '42.abcdef01234567890', '0.abcdef0123456789', '-1.abcdef0123456789', '42.zzzzzzzzzzzzzzzz']) {
      expect(verifyThreadToken(t, SECRET)).toBeNull();
    }
  });

  it('refuses to sign invalid numbers or with an empty secret', () => {
    expect(() => signThreadToken(0, SECRET)).toThrow();
    expect(() => signThreadToken(1.5, SECRET)).toThrow();
    expect(() => signThreadToken(1, '')).toThrow();
  });
});

describe('plus-addresses', () => {
  const token = signThreadToken(12, SECRET);

  it('builds the reply address and extracts the token back', () => {
    const address = replyAddress('support@acme.test', token);
    expect(address).toBe(`support+${token}@acme.test`);
    expect(extractPlusToken(address)).toBe(token);
    expect(extractPlusToken(`"Acme" <${address}>`)).toBe(token);
    expect(extractPlusToken(address.toUpperCase())).toBe(token);
  });

  it('replaces an existing tag instead of stacking', () => {
    expect(replyAddress('support+old@acme.test', token)).toBe(`support+${token}@acme.test`);
  });

  it('returns null for addresses without a token-shaped tag', () => {
    expect(extractPlusToken('support@acme.test')).toBeNull();
    expect(extractPlusToken('support+newsletter@acme.test')).toBeNull();
    expect(extractPlusToken('not an address')).toBeNull();
  });

  it('rejects an invalid inbox address', () => {
    expect(() => replyAddress('support', token)).toThrow();
  });
});

describe('subject numbers', () => {
  it('adds the tag once and keeps Re:', () => {
    expect(withThreadNumber('Order problem', 1234)).toBe('Order problem [#1234]');
    expect(withThreadNumber('Re: Order problem', 1234)).toBe('Re: Order problem [#1234]');
    expect(withThreadNumber('Re: Order problem [#1234]', 1234)).toBe('Re: Order problem [#1234]');
    expect(withThreadNumber('[#1234] Re: Order problem', 1234)).toBe('[#1234] Re: Order problem');
    expect(withThreadNumber('Re: Order [#99] problem', 1234)).toBe('Re: Order problem [#1234]');
    expect(withThreadNumber('', 5)).toBe('[#5]');
    expect(withThreadNumber(null, 5)).toBe('[#5]');
  });

  it('extracts the number', () => {
    expect(extractSubjectNumber('RE: AW: Your order [#1234]')).toBe(1234);
    expect(extractSubjectNumber('Order #1234')).toBeNull();
    expect(extractSubjectNumber('[#0]')).toBeNull();
    expect(extractSubjectNumber(null)).toBeNull();
  });

  it('prefixes Re: only when missing', () => {
    expect(replySubject('Order')).toBe('Re: Order');
    expect(replySubject('RE: Order')).toBe('RE: Order');
    expect(replySubject('AW: Bestellung')).toBe('AW: Bestellung');
  });
});

describe('body marker', () => {
  it('builds a text line and a hidden html form of the same signed value', () => {
    const marker = buildMarker(1234, SECRET);
    expect(marker.value).toMatch(/^1234\.[0-9a-f]{8}$/);
    expect(marker.text).toBe(`[ref:#${marker.value}]`);
    expect(marker.html).toContain(`<!-- desk-ref:#${marker.value} -->`);
    expect(marker.html).toContain('display:none');
  });

  it('is found and verified in text, quoted text and html', () => {
    const marker = buildMarker(1234, SECRET);
    const expected = { raw: marker.value, threadNumber: 1234, valid: true };
    expect(extractMarker(`Thanks!\n\n> ${marker.text}\n`, SECRET)).toEqual(expected);
    expect(extractMarker(`<p>hi</p><blockquote>${marker.html}</blockquote>`, SECRET)).toEqual(expected);
    expect(extractMarker(marker.text)).toEqual({ ...expected, valid: null });
  });

  it('is invalid when forged, tampered or signed with another secret', () => {
    const marker = buildMarker(1234, SECRET);
    const sig = marker.value.split('.')[1];
    expect(extractMarker('[ref:#1234.00000000]', SECRET)?.valid).toBe(false);
    expect(extractMarker(`[ref:#1235.${sig}]`, SECRET)).toEqual({ raw: `1235.${sig}`, threadNumber: 1235, valid: false });
    expect(extractMarker(buildMarker(1234, 'other').text, SECRET)?.valid).toBe(false);
    // A token signature is not a marker signature.
    const tokenSig = signThreadToken(1234, SECRET).split('.')[1]?.slice(0, 8);
    expect(extractMarker(`[ref:#1234.${tokenSig}]`, SECRET)?.valid).toBe(tokenSig === sig);
  });

  it('returns null when absent', () => {
    expect(extractMarker('no marker here', SECRET)).toBeNull();
    expect(extractMarker(null, SECRET)).toBeNull();
  });
});

describe('message ids', () => {
  it('generates <uuid@domain>', () => {
    const id = newMessageId('acme.test');
    expect(id).toMatch(/^<[0-9a-f-]{36}@acme\.test>$/);
    expect(newMessageId('support@Acme.test')).toMatch(/@acme\.test>$/);
    expect(newMessageId('acme.test')).not.toBe(id);
    expect(() => newMessageId('bad domain')).toThrow();
  });

  it('parses id lists with or without brackets, de-duplicated', () => {
    expect(parseMessageIdList('<a@x> <b@x>\r\n <a@x>')).toEqual(['a@x', 'b@x']);
    expect(parseMessageIdList(['<a@x>', '<c@x>'])).toEqual(['a@x', 'c@x']);
    expect(parseMessageIdList('bare@x')).toEqual(['bare@x']);
    expect(parseMessageIdList(undefined)).toEqual([]);
  });
});
