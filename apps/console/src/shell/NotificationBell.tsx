import { ActionIcon, Button, Group, Indicator, Popover, ScrollArea, Stack, Text, UnstyledButton } from '@mantine/core';
import { notifications as toasts } from '@mantine/notifications';
import type { Notification, NotificationPage } from '@desk/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../api/endpoints';
import { useNotifications } from '../api/hooks';
import { keys } from '../api/keys';
import { formatDateTime } from '../lib/time';

function BellIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden>
      <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
      <path d="M13.73 21a2 2 0 0 1-3.46 0" />
    </svg>
  );
}

/** The agent's notifications (mentions in notes): unread count on the bell, the latest in a list. */
export function NotificationBell() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [opened, setOpened] = useState(false);
  const list = useNotifications();
  const unread = list.data?.unreadCount ?? 0;

  const markRead = useMutation({
    mutationFn: api.markNotificationsRead,
    onSuccess: (r, req) => {
      const now = new Date().toISOString();
      qc.setQueryData<NotificationPage>(keys.notifications, (old) =>
        old && {
          ...old,
          unreadCount: r.unreadCount,
          items: old.items.map((n) => (n.readAt || !(req.all || req.ids?.includes(n.id)) ? n : { ...n, readAt: now })),
        },
      );
    },
    onError: (e) => toasts.show({ color: 'red', title: 'Could not mark as read', message: e.message }),
  });

  const open = (n: Notification) => {
    if (!n.readAt) markRead.mutate({ ids: [n.id] });
    setOpened(false);
    navigate(`/threads/${n.threadId}`);
  };

  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={360} shadow="md" withinPortal>
      <Popover.Target>
        <Indicator label={unread > 99 ? '99+' : unread} size={16} color="red" disabled={unread === 0} offset={4}>
          <ActionIcon
            variant="subtle"
            color="gray"
            size="lg"
            onClick={() => setOpened((o) => !o)}
            aria-label={unread ? `Notifications, ${unread} unread` : 'Notifications'}
            data-testid="notification-bell"
            data-unread={unread}
          >
            <BellIcon />
          </ActionIcon>
        </Indicator>
      </Popover.Target>
      <Popover.Dropdown p={0} data-testid="notification-list">
        <Group justify="space-between" px="sm" py={6} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
          <Text size="sm" fw={600}>
            Notifications
          </Text>
          <Button size="compact-xs" variant="subtle" disabled={unread === 0} onClick={() => markRead.mutate({ all: true })} data-testid="notifications-read-all">
            Mark all read
          </Button>
        </Group>
        <ScrollArea.Autosize mah={420}>
          {list.isError && (
            <Text size="sm" c="red" p="sm">
              {list.error.message}
            </Text>
          )}
          {list.data?.items.length === 0 && (
            <Text size="sm" c="dimmed" p="sm">
              Nothing yet. You are notified when a colleague @mentions you in a note.
            </Text>
          )}
          <Stack gap={0}>
            {list.data?.items.map((n) => (
              <UnstyledButton
                key={n.id}
                onClick={() => open(n)}
                px="sm"
                py={8}
                bg={n.readAt ? undefined : 'blue.0'}
                style={{ borderBottom: '1px solid var(--mantine-color-gray-2)' }}
                data-testid="notification-item"
                data-unread={!n.readAt || undefined}
              >
                <Text size="sm">
                  <Text span fw={600}>
                    {n.actor?.name ?? 'Someone'}
                  </Text>{' '}
                  mentioned you in #{n.thread.number}
                  {n.thread.subject ? ` · ${n.thread.subject}` : ''}
                </Text>
                <Text size="xs" c="dimmed" lineClamp={2}>
                  {n.excerpt}
                </Text>
                <Text size="xs" c="dimmed">
                  {formatDateTime(n.createdAt)}
                </Text>
              </UnstyledButton>
            ))}
          </Stack>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  );
}
