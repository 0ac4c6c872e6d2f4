import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Notification } from '@desk/contracts';
import { keys } from '../api/keys';
import { handleNotificationCreated } from '../realtime/realtime-cache';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import { NotificationBell } from './NotificationBell';

const threadId = '00000000-0000-4000-8000-0000000000f1';

function notification(n: number, readAt: string | null = null): Notification {
  return {
    id: `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`,
    kind: 'mention',
    threadId,
    messageId: `00000000-0000-4000-8000-0000000002${String(n).padStart(2, '0')}`,
    thread: { number: 1042, subject: 'Broken kettle' },
    actor: { id: '00000000-0000-4000-8000-0000000000b2', name: 'Bob' },
    excerpt: `@Alice Agent look at this (${n})`,
    createdAt: '2025-01-01T10:00:00.000Z',
    readAt,
  };
}

describe('NotificationBell', { timeout: 20_000 }, () => {
  it('shows the unread count, counts a live notification, and opening one marks it read and opens the thread', async () => {
    const { calls } = mockFetch({
      'GET /api/notifications': () => jsonResponse(200, { items: [notification(1), notification(2, '2025-01-01T11:00:00.000Z')], nextCursor: null, unreadCount: 1 }),
      'POST /api/notifications/read': () => jsonResponse(200, { updated: 1, unreadCount: 1 }),
    });
    const { client } = renderAt('/inbox/mine', [
      { path: '/inbox/mine', element: <NotificationBell /> },
      { path: '/threads/:id', element: <div data-testid="thread-page" /> },
    ]);
    const user = userEvent.setup();
    const bell = screen.getByTestId('notification-bell');
    await waitFor(() => expect(bell).toHaveAttribute('data-unread', '1'));
    expect(bell).toHaveAccessibleName('Notifications, 1 unread');

    act(() => handleNotificationCreated(client, { notification: notification(3) }));
    await waitFor(() => expect(bell).toHaveAttribute('data-unread', '2'));
    // the same event twice (a reconnect) counts once
    act(() => handleNotificationCreated(client, { notification: notification(3) }));
    expect(client.getQueryData<{ unreadCount: number }>(keys.notifications)?.unreadCount).toBe(2);

    await user.click(bell);
    const items = await screen.findAllByTestId('notification-item');
    expect(items).toHaveLength(3);
    expect(items[0]).toHaveTextContent('Bob mentioned you in #1042 · Broken kettle');
    expect(items.filter((i) => i.hasAttribute('data-unread'))).toHaveLength(2);

    await user.click(items[0]!);
    await screen.findByTestId('thread-page');
    const post = calls.find((c) => c.init?.method === 'POST');
    expect(JSON.parse(String(post!.init!.body))).toEqual({ ids: [notification(3).id] });
    await waitFor(() => expect(client.getQueryData<{ unreadCount: number }>(keys.notifications)?.unreadCount).toBe(1));
  });

  it('shows no count when everything is read', async () => {
    mockFetch({ 'GET /api/notifications': () => jsonResponse(200, { items: [], nextCursor: null, unreadCount: 0 }) });
    renderAt('/', [{ path: '/', element: <NotificationBell /> }]);
    await waitFor(() => expect(screen.getByTestId('notification-bell')).toHaveAttribute('data-unread', '0'));
    expect(screen.getByTestId('notification-bell')).toHaveAccessibleName('Notifications');
  });
});
