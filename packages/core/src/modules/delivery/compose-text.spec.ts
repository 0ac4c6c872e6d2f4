import { findMentions, textToHtml } from './compose-text';
import { nextAttemptDelay } from './deliver-job';

describe('textToHtml', () => {
  it('escapes markup and keeps paragraphs and line breaks', () => {
    const html = textToHtml('Hi <b>you</b> & "co"\nline two\n\nsecond paragraph');
    expect(html).toContain('<p>Hi &lt;b&gt;you&lt;/b&gt; &amp; &quot;co&quot;<br>\nline two</p>');
    expect(html).toContain('<p>second paragraph</p>');
    expect(html).not.toContain('<b>');
  });
});

describe('findMentions', () => {
  const ann = { id: 'a1', name: 'Ann Lee', email: 'ann@desk.test' };
  const anna = { id: 'a2', name: 'Anna', email: 'anna@desk.test' };
  const bob = { id: 'b1', name: 'Bob', email: 'bob@desk.test' };

  it('finds names and emails, in order, once each', () => {
    expect(findMentions('@bob@desk.test please ask @ann lee, and @Bob again', [ann, anna, bob])).toEqual([
      { agentId: 'b1', name: 'Bob' },
      { agentId: 'a1', name: 'Ann Lee' },
    ]);
  });

  it('does not match a prefix of a longer handle', () => {
    const ann2 = { id: 'a3', name: 'Ann', email: 'ann2@desk.test' };
    expect(findMentions('thanks @Anna.', [ann2, anna])).toEqual([{ agentId: 'a2', name: 'Anna' }]);
  });

  it('ignores text without @', () => {
    expect(findMentions('Bob and ann@desk.test', [ann, bob])).toEqual([]);
  });
});

describe('nextAttemptDelay', () => {
  it('follows BullMQ exponential backoff', () => {
    expect([1, 2, 3].map((n) => nextAttemptDelay(n, 1000))).toEqual([1000, 2000, 4000]);
  });
});
