import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useParams } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { threadSummary } from '../test/factories';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import InboxPage from './InboxPage';

function OpenedThread() {
  const { threadId } = useParams();
  return <div data-testid="opened-thread">{threadId}</div>;
}

function setup() {
  const threads = [
    threadSummary({ contact: { id: '00000000-0000-4000-8000-00000000c001', name: 'Ada Lovelace', primaryEmail: null }, subject: 'Broken invoice', slaDueAt: '2000-01-01T00:00:00.000Z' }),
    threadSummary({ contact: { id: '00000000-0000-4000-8000-00000000c002', name: null, primaryEmail: 'grace@example.com' }, subject: null, preview: 'Where is my parcel?', channel: 'x' }),
    threadSummary({ assignee: { id: '00000000-0000-4000-8000-00000000a001', name: 'Bob Agent', email: 'bob@example.com', role: 'agent', availability: 'online' }, slaDueAt: '2999-01-01T00:00:00.000Z' }),
  ];
  const { calls } = mockFetch({ 'GET /api/threads': () => jsonResponse(200, { items: threads, nextCursor: null }) });
  renderAt('/inbox/all?channel=email,x', [
    { path: '/inbox/:view', element: <InboxPage /> },
    { path: '/threads/:threadId', element: <OpenedThread /> },
  ]);
  return { threads, calls };
}

const selectedIds = () =>
  screen
    .getAllByTestId('inbox-row')
    .filter((r) => r.getAttribute('aria-selected') === 'true')
    .map((r) => r.getAttribute('data-thread-id'));

describe('InboxPage', () => {
  it('renders one row per thread with customer, subject or preview, SLA and assignee', async () => {
    const { calls } = setup();
    const rows = await screen.findAllByTestId('inbox-row');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('Ada Lovelace');
    expect(rows[0]).toHaveTextContent('Broken invoice');
    expect(rows[1]).toHaveTextContent('grace@example.com');
    expect(rows[1]).toHaveTextContent('Where is my parcel?');
    expect(rows[2]).toHaveTextContent('Bob Agent');
    expect(rows[0]?.querySelector('[data-testid="row-sla"]')).toHaveAttribute('data-overdue', 'true');
    expect(rows[2]?.querySelector('[data-testid="row-sla"]')).toHaveAttribute('data-overdue', 'false');

    const url = calls[0]?.url;
    expect(url?.searchParams.get('view')).toBe('all');
    expect(url?.searchParams.get('channel')).toBe('email,x');
  });

  it('moves the selection with j/k and opens the selected thread with Enter', async () => {
    const { threads } = setup();
    await screen.findAllByTestId('inbox-row');
    const user = userEvent.setup();

    expect(selectedIds()).toEqual([threads[0]?.id]);
    await user.keyboard('j');
    expect(selectedIds()).toEqual([threads[1]?.id]);
    await user.keyboard('j');
    await user.keyboard('j'); // stays on the last row
    expect(selectedIds()).toEqual([threads[2]?.id]);
    await user.keyboard('k');
    expect(selectedIds()).toEqual([threads[1]?.id]);

    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByTestId('opened-thread')).toHaveTextContent(threads[1]?.id ?? 'missing'));
  });
});
