import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { threadSummary } from '../test/factories';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import ThreadPage from './ThreadPage';

const me = { id: '00000000-0000-4000-8000-0000000000a1', name: 'Alice Agent', email: 'alice@desk.test', role: 'agent', availability: 'online', capacity: 10, teamIds: [] };

describe('ThreadPage keyboard', () => {
  it('r focuses the composer, e resolves, and the repeat-contact flag shows in the customer panel', async () => {
    const thread = threadSummary({ subject: 'Keys' });
    const detail = { ...thread, linkedThreadId: null, resolvedAt: null, flags: { repeatContact: { count: 3, windowDays: 14 } } };
    const { calls } = mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, me),
      'GET /api/agents': () => jsonResponse(200, []),
      [`GET /api/threads/${thread.id}`]: () => jsonResponse(200, detail),
      [`PATCH /api/threads/${thread.id}`]: () => jsonResponse(200, { ...detail, status: 'resolved' }),
      [`GET /api/threads/${thread.id}/messages`]: () => jsonResponse(200, { items: [], nextCursor: null }),
      [`GET /api/contacts/${thread.contact.id}`]: () =>
        jsonResponse(200, { ...thread.contact, tags: [], identities: [], createdAt: thread.createdAt }),
      [`GET /api/contacts/${thread.contact.id}/threads`]: () => jsonResponse(200, { items: [thread], nextCursor: null }),
    });
    renderAt(`/threads/${thread.id}`, [{ path: '/threads/:threadId', element: <ThreadPage /> }]);
    const user = userEvent.setup();
    await screen.findByTestId('composer');
    expect(await screen.findByTestId('repeat-contact')).toHaveTextContent('3 in 14 days');

    await user.keyboard('r');
    expect(screen.getByTestId('composer-body')).toHaveFocus();
    expect(screen.getByTestId('composer-body')).toHaveValue('');

    (document.activeElement as HTMLElement).blur();
    await user.keyboard('e');
    await waitFor(() => expect(calls.some((c) => c.init?.method === 'PATCH')).toBe(true));
    const patch = calls.find((c) => c.init?.method === 'PATCH')!;
    expect(JSON.parse(String(patch.init!.body))).toEqual({ status: 'resolved' });
  });
});
