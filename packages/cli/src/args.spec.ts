import { parseFlags } from './args';

describe('parseFlags', () => {
  it('reads spaced and = forms and bare flags', () => {
    expect(parseFlags(['--email', 'a@b.c', '--password=x y', '--force'])).toEqual({ email: 'a@b.c', password: 'x y', force: 'true' });
  });
  it('refuses stray words', () => {
    expect(() => parseFlags(['oops'])).toThrow('unexpected argument: oops');
  });
});
