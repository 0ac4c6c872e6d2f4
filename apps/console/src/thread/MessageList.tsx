import { Alert, Box, Button, Center, Loader, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { useMessages } from '../api/hooks';
import { MessageItem } from './MessageItem';

/**
 * The conversation, oldest at the top. Only the rows on screen are mounted, so a thread with
 * thousands of messages stays fast; older pages load when the agent scrolls to the top.
 */
export function MessageList({ threadId }: { threadId: string }) {
  const query = useMessages(threadId);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  // Pages arrive newest first and each page is chronological: reverse the pages, keep their order.
  const messages = useMemo(
    () => (query.data ? [...query.data.pages].reverse().flatMap((p) => p.items) : []),
    [query.data],
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 140,
    overscan: 6,
    getItemKey: (i) => messages[i]?.id ?? i,
  });

  // Keep the viewport anchored: at the bottom on first load and for new messages when already
  // there; on the message that was at the top when older ones are prepended above it.
  const prev = useRef<{ firstId: string | undefined; lastId: string | undefined; count: number }>({
    firstId: undefined,
    lastId: undefined,
    count: 0,
  });
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const firstId = messages[0]?.id;
    const lastId = messages[messages.length - 1]?.id;
    const before = prev.current;
    prev.current = { firstId, lastId, count: messages.length };
    if (messages.length === 0) return;
    if (before.count === 0) {
      virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
    } else if (before.firstId && firstId !== before.firstId) {
      const anchor = messages.findIndex((m) => m.id === before.firstId);
      if (anchor > 0) virtualizer.scrollToIndex(anchor, { align: 'start' });
    } else if (lastId !== before.lastId && atBottom.current) {
      virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
    }
  }, [messages, virtualizer]);

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const onScroll = () => {
      atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
      if (el.scrollTop < 40 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => el.removeEventListener('scroll', onScroll);
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (query.isPending) {
    return (
      <Center style={{ flex: 1 }}>
        <Loader size="sm" />
      </Center>
    );
  }
  if (query.isError) {
    return (
      <Alert color="red" m="md" title="Cannot load messages">
        {query.error.message}
      </Alert>
    );
  }

  const items = virtualizer.getVirtualItems();
  return (
    <Box style={{ flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
      {hasNextPage && (
        <Center py={4} style={{ borderBottom: '1px solid var(--mantine-color-gray-2)' }}>
          <Button
            variant="subtle"
            size="xs"
            loading={isFetchingNextPage}
            onClick={() => void fetchNextPage()}
            data-testid="load-older"
          >
            Load older messages
          </Button>
        </Center>
      )}
      <Box ref={scrollRef} style={{ flex: 1, minHeight: 0, overflowY: 'auto' }} bg="gray.0" data-testid="message-list">
        {messages.length === 0 ? (
          <Text c="dimmed" ta="center" p="xl">
            No messages yet.
          </Text>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), width: '100%', position: 'relative' }}>
            <div style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${items[0]?.start ?? 0}px)` }}>
              {items.map((row) => {
                const message = messages[row.index];
                if (!message) return null;
                return (
                  <div key={row.key} data-index={row.index} ref={virtualizer.measureElement}>
                    <MessageItem message={message} />
                  </div>
                );
              })}
            </div>
          </div>
        )}
      </Box>
    </Box>
  );
}
