import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import { CannedReplies } from './CannedReplies';

const admin = { id: '00000000-0000-4000-8000-0000000000a1', name: 'Ann Admin', email: 'ann@desk.test', role: 'admin', availability: 'online', capacity: 10, teamIds: [] };

describe('CannedReplies settings', { timeout: 20_000 }, () => {
  it('lists replies, flags unknown placeholders while typing, creates one, and shows the server\'s field error', async () => {
    const existing = {
      id: '00000000-0000-4000-8000-00000000ca01',
      title: 'Greeting',
      body: 'Hi {{contact.firstName}}',
      shortcut: 'hello',
      scope: 'global',
      ownerAgentId: null,
      teamId: null,
      createdAt: '2025-01-01T09:00:00.000Z',
      updatedAt: '2025-01-01T09:00:00.000Z',
    };
    let posts = 0;
    const { calls } = mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, admin),
      'GET /api/teams': () => jsonResponse(200, []),
      'GET /api/canned-replies': () => jsonResponse(200, [existing]),
      'POST /api/canned-replies': () => {
        posts += 1;
        return posts === 1
          ? jsonResponse(409, { statusCode: 409, error: 'Conflict', message: 'shortcut: already used by another canned reply', fields: [{ path: 'shortcut', message: 'already used' }] })
          : jsonResponse(201, { ...existing, id: '00000000-0000-4000-8000-00000000ca02', title: 'Refund', shortcut: 'refund' });
      },
    });
    renderAt('/s', [{ path: '/s', element: <CannedReplies /> }]);
    const user = userEvent.setup();
    const row = await screen.findByTestId('canned-row');
    expect(within(row).getByText('/hello')).toBeInTheDocument();

    await user.click(screen.getByTestId('canned-new'));
    await user.type(await screen.findByTestId('canned-title'), 'Refund');
    await user.type(screen.getByTestId('canned-shortcut'), 'hello');
    await user.click(screen.getByTestId('canned-body'));
    await user.paste('Dear {{contact.nmae}}, refunded.');
    expect(screen.getByTestId('canned-unknown-placeholders')).toHaveTextContent('{{contact.nmae}}');

    await user.click(screen.getByTestId('canned-save'));
    expect(await screen.findByText('already used')).toBeInTheDocument();
    const first = JSON.parse(String(calls.find((c) => c.init?.method === 'POST')!.init!.body));
    expect(first).toEqual({ title: 'Refund', body: 'Dear {{contact.nmae}}, refunded.', shortcut: 'hello', scope: 'global' });

    await user.clear(screen.getByTestId('canned-shortcut'));
    await user.type(screen.getByTestId('canned-shortcut'), 'refund');
    await user.click(screen.getByTestId('canned-save'));
    await waitFor(() => expect(screen.queryByTestId('canned-title')).not.toBeInTheDocument());
    expect(posts).toBe(2);
  });
});
