import { numberFlag, percentile, textFlag } from './bench-kit';

describe('bench kit', () => {
  it('reads number flags in both forms, with a fallback, and names a bad one', () => {
    expect(numberFlag('n', 7, ['node', 'x', '--n', '20'])).toBe(20);
    expect(numberFlag('n', 7, ['node', 'x', '--n=30'])).toBe(30);
    expect(numberFlag('n', 7, ['node', 'x'])).toBe(7);
    expect(() => numberFlag('n', 7, ['node', 'x', '--n', 'lots'])).toThrow(
      '--n: expected a positive number, got lots',
    );
    expect(textFlag('mode', ['--mode', 'fast'])).toBe('fast');
    expect(textFlag('mode', [])).toBe('');
  });
  it('takes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });
});
