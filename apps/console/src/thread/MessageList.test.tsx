import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { message } from '../test/factories';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import { MessageList } from './MessageList';

const THREAD = '00000000-0000-4000-8000-0000000000f1';
const hostile = '<script>window.pwned = true</script><b>bold</b><img src=x onerror="window.pwned=true">';

function setup() {
  const older = [message({ bodyText: 'first ever message', createdAt: '2025-01-01T08:00:00.000Z' })];
  const newest = [
    message({
      bodyText: `${hostile}\n\nOn Monday you wrote:\n> quoted line`,
      visibleText: hostile,
      bodyHtml: '<p><b>html bold</b></p><script>window.pwned = true</script>',
      createdAt: '2025-01-01T09:00:00.000Z',
    }),
    message({
      direction: 'note',
      author: { kind: 'agent', id: null, name: 'Alice Agent' },
      bodyText: 'internal: check the refund',
      deliveryState: 'sent',
      createdAt: '2025-01-01T09:30:00.000Z',
    }),
  ];
  const { calls } = mockFetch({
    [`GET /api/threads/${THREAD}/messages`]: (url) =>
      url.searchParams.get('cursor') === 'older'
        ? jsonResponse(200, { items: older, nextCursor: null })
        : jsonResponse(200, { items: newest, nextCursor: 'older' }),
  });
  const view = renderAt('/t', [{ path: '/t', element: <MessageList threadId={THREAD} /> }]);
  return { ...view, calls };
}

describe('MessageList', () => {
  it('shows customer markup as text and never as live HTML outside the sandboxed iframe', async () => {
    const { container } = setup();
    const messages = await screen.findAllByTestId('message');
    expect(messages).toHaveLength(2);

    const first = messages[0]!;
    expect(within(first).getByTestId('message-text').textContent).toBe(hostile);
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect((window as unknown as { pwned?: boolean }).pwned).toBeUndefined();
    expect(container.querySelector('iframe')).toBeNull();

    const user = userEvent.setup();
    await user.click(within(first).getByTestId('toggle-html'));
    const frames = container.querySelectorAll('iframe');
    expect(frames).toHaveLength(1);
    const frame = frames[0]!;
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('srcdoc')).toContain('<b>html bold</b>');
    // still nothing rendered as markup in the console's own document
    expect(container.querySelector('b')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
  });

  it('folds the quoted history and styles notes apart from customer messages', async () => {
    setup();
    const [first, note] = await screen.findAllByTestId('message');
    expect(first).not.toHaveTextContent('quoted line');
    await userEvent.setup().click(within(first!).getByTestId('toggle-quoted'));
    expect(first).toHaveTextContent('quoted line');

    expect(first).toHaveAttribute('data-direction', 'inbound');
    expect(note).toHaveAttribute('data-direction', 'note');
    expect(note).toHaveTextContent('internal note');
    expect(within(note!).getByTestId('delivery-state')).toHaveTextContent('sent');
  });

  it('loads older messages with the cursor and puts them first', async () => {
    const { calls } = setup();
    await screen.findAllByTestId('message');
    await userEvent.setup().click(screen.getByTestId('load-older'));
    expect(await screen.findByText('first ever message')).toBeInTheDocument();
    const texts = screen.getAllByTestId('message-text').map((e) => e.textContent);
    expect(texts[0]).toBe('first ever message');
    expect(texts).toHaveLength(3);
    expect(calls.some((c) => c.url.searchParams.get('cursor') === 'older')).toBe(true);
    expect(screen.queryByTestId('load-older')).not.toBeInTheDocument();
  });
});
