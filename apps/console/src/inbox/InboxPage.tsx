import { Alert, Box, Button, Center, Group, Loader, MultiSelect, Stack, Text, Title } from '@mantine/core';
import { ChannelKind, Priority, ThreadStatus } from '@desk/contracts';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Navigate, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useThreadList } from '../api/hooks';
import { api } from '../api/endpoints';
import { keys } from '../api/keys';
import { useShortcuts } from '../lib/useShortcuts';
import { useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { channelLabel } from '../lib/channels';
import { useNow } from '../lib/time';
import { VIEWS } from '../shell/views';
import { filtersFromUrl } from './filters';
import { InboxRow } from './InboxRow';
import { useListKeyboard } from './useListKeyboard';

const CHANNEL_OPTIONS = ChannelKind.options.map((c) => ({ value: c, label: channelLabel(c) }));
const STATUS_OPTIONS = ThreadStatus.options.map((s) => ({ value: s, label: s }));
const PRIORITY_OPTIONS = Priority.options.map((p) => ({ value: p, label: p }));

export default function InboxPage() {
  const { view } = useParams();
  const [search, setSearch] = useSearchParams();
  const filters = useMemo(() => filtersFromUrl(view, search), [view, search]);
  if (!filters) return <Navigate to="/inbox/mine" replace />;
  return <Inbox key={filters.view} filters={filters} search={search} setSearch={setSearch} />;
}

function Inbox({
  filters,
  search,
  setSearch,
}: {
  filters: NonNullable<ReturnType<typeof filtersFromUrl>>;
  search: URLSearchParams;
  setSearch: ReturnType<typeof useSearchParams>[1];
}) {
  const navigate = useNavigate();
  const now = useNow();
  const list = useThreadList(filters);
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  // Selection follows the thread, not the position, so live re-sorting does not move it elsewhere.
  const foundIndex = selectedId ? items.findIndex((t) => t.id === selectedId) : -1;
  const selectedIndex = items.length === 0 ? -1 : Math.max(foundIndex, 0);
  const rowRefs = useRef(new Map<string, HTMLDivElement>());
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;

  const moveTo = (index: number) => {
    const t = items[index];
    if (!t) return;
    setSelectedId(t.id);
    rowRefs.current.get(t.id)?.scrollIntoView?.({ block: 'nearest' });
    if (index >= items.length - 5 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  };
  const open = (id: string, intent?: 'reply' | 'assign') => navigate(`/threads/${id}${intent ? `?do=${intent}` : ''}`);
  const qc = useQueryClient();
  const selected = items[selectedIndex];
  useShortcuts({
    r: () => selected && open(selected.id, 'reply'),
    a: () => selected && open(selected.id, 'assign'),
    e: () => {
      if (!selected) return;
      api.updateThread(selected.id, { status: 'resolved' }).then(
        () => {
          notifications.show({ color: 'green', message: `#${selected.number} resolved` });
          void qc.invalidateQueries({ queryKey: keys.threadLists });
        },
        (err: Error) => notifications.show({ color: 'red', title: 'Cannot resolve', message: err.message }),
      );
    },
  });

  useListKeyboard({
    next: () => moveTo(Math.min(selectedIndex + 1, items.length - 1)),
    previous: () => moveTo(Math.max(selectedIndex - 1, 0)),
    open: () => {
      const t = items[selectedIndex];
      if (t) open(t.id);
    },
  });

  useEffect(() => {
    const el = sentinel.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && hasNextPage && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const setFilter = (name: 'channel' | 'status' | 'priority', values: string[]) => {
    const next = new URLSearchParams(search);
    if (values.length) next.set(name, values.join(','));
    else next.delete(name);
    setSearch(next, { replace: true });
  };

  const title = VIEWS.find((v) => v.view === filters.view)?.label ?? 'Inbox';

  return (
    <Stack gap={0} h="100%" mih={0}>
      <Group px="md" py="sm" justify="space-between" wrap="wrap" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Title order={3} data-testid="inbox-title">
          {title}
        </Title>
        <Group gap="xs" data-testid="inbox-filters">
          <MultiSelect
            aria-label="Channel"
            placeholder="Channel"
            data={CHANNEL_OPTIONS}
            value={filters.channel ?? []}
            onChange={(v) => setFilter('channel', v)}
            clearable
            size="xs"
            w={180}
            data-testid="filter-channel"
          />
          <MultiSelect
            aria-label="Status"
            placeholder="Status"
            data={STATUS_OPTIONS}
            value={filters.status ?? []}
            onChange={(v) => setFilter('status', v)}
            clearable
            size="xs"
            w={180}
            data-testid="filter-status"
          />
          <MultiSelect
            aria-label="Priority"
            placeholder="Priority"
            data={PRIORITY_OPTIONS}
            value={filters.priority ?? []}
            onChange={(v) => setFilter('priority', v)}
            clearable
            size="xs"
            w={180}
            data-testid="filter-priority"
          />
        </Group>
      </Group>
      <Box style={{ flex: 1, overflowY: 'auto' }} role="listbox" aria-label={`${title} threads`} data-testid="inbox-list">
        {list.isPending && (
          <Center p="xl">
            <Loader size="sm" />
          </Center>
        )}
        {list.isError && (
          <Alert color="red" m="md" title="Cannot load threads">
            {list.error.message}
          </Alert>
        )}
        {list.isSuccess && items.length === 0 && (
          <Text c="dimmed" ta="center" p="xl" data-testid="inbox-empty">
            Nothing here. Nice work.
          </Text>
        )}
        {items.map((t, i) => (
          <InboxRow
            key={t.id}
            ref={(el) => {
              if (el) rowRefs.current.set(t.id, el);
              else rowRefs.current.delete(t.id);
            }}
            thread={t}
            now={now}
            selected={i === selectedIndex}
            onSelect={setSelectedId}
            onOpen={open}
          />
        ))}
        <div ref={sentinel} />
        {hasNextPage && (
          <Center p="sm">
            <Button variant="subtle" size="xs" loading={isFetchingNextPage} onClick={() => void fetchNextPage()} data-testid="inbox-load-more">
              Load more
            </Button>
          </Center>
        )}
      </Box>
    </Stack>
  );
}
