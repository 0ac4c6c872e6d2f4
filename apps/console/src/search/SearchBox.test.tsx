import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { threadSummary } from '../test/factories';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import { splitHighlight } from './highlight';
import { SearchBox } from './SearchBox';

describe('search', () => {
  it('splits «marked» text into runs', () => {
    expect(splitHighlight('a «b» c «d»')).toEqual([
      { text: 'a ', marked: false },
      { text: 'b', marked: true },
      { text: ' c ', marked: false },
      { text: 'd', marked: true },
    ]);
    expect(splitHighlight('no marks «open')).toEqual([{ text: 'no marks «open', marked: false }]);
  });

  it('shows grouped results and renders highlights as <mark> built from text; markup stays text', async () => {
    const t = threadSummary({ number: 1234, subject: 'Refund please' });
    const { calls } = mockFetch({
      'GET /api/search': () =>
        jsonResponse(200, {
          threads: [t],
          contacts: [],
          messages: [
            {
              messageId: '00000000-0000-4000-8000-0000000000c1',
              threadId: t.id,
              threadNumber: 1234,
              threadSubject: 'Refund please',
              direction: 'inbound',
              channel: 'email',
              highlight: 'I want a «refund» <script>window.pwned=true</script><b>now</b>',
              rank: 0.5,
              createdAt: '2025-01-01T10:00:00.000Z',
            },
          ],
        }),
    });
    const { baseElement } = renderAt('/', [{ path: '/', element: <SearchBox /> }]);
    await userEvent.setup().type(screen.getByTestId('search-box'), 'refund');

    const results = await screen.findAllByTestId('search-result');
    expect(results).toHaveLength(2);
    expect(results[0]).toHaveTextContent('#1234 Refund please');
    const hl = within(results[1]!).getByTestId('search-highlight');
    const marks = hl.querySelectorAll('mark');
    expect(marks).toHaveLength(1);
    expect(marks[0]!.textContent).toBe('refund');
    expect(hl.textContent).toBe('I want a refund <script>window.pwned=true</script><b>now</b>');
    expect(baseElement.querySelector('script')).toBeNull();
    expect(baseElement.querySelector('b')).toBeNull();
    expect((window as unknown as { pwned?: boolean }).pwned).toBeUndefined();
    expect(calls.at(-1)!.url.searchParams.get('q')).toBe('refund');
  });
});
