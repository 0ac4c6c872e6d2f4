import { X_PUBLIC_LIMIT, xWeightedLength } from './text-length';

describe('xWeightedLength', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(xWeightedLength('hello')).toBe(5);
    expect(xWeightedLength('héllo 👋')).toBe(7);
  });
  it('counts every URL as 23', () => {
    expect(xWeightedLength('see https://example.com/a/very/long/path/that/goes/on/and/on?x=1')).toBe(4 + 23);
    expect(xWeightedLength('http://a.b and https://c.d')).toBe(23 + 5 + 23);
  });
  it('has the 280 limit', () => {
    expect(X_PUBLIC_LIMIT).toBe(280);
  });
});
