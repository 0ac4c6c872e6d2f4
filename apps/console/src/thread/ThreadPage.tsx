import { Alert, Box, Center, Loader } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { Navigate, useParams, useSearchParams } from 'react-router-dom';
import { notifications } from '@mantine/notifications';
import { z } from 'zod';
import { isApiError } from '../api/client';
import { useThread, useUpdateThread } from '../api/hooks';
import { openAssigneePicker, useShortcuts } from '../lib/useShortcuts';
import { Composer, type ComposerHandle } from './Composer';
import { useThreadRoom } from '../realtime/SocketProvider';
import { CustomerPanel } from './CustomerPanel';
import { EmailSuggestions } from './EmailSuggestions';
import { MessageList } from './MessageList';
import { ThreadHeader } from './ThreadHeader';

const ThreadId = z.uuid();

export default function ThreadPage() {
  const { threadId } = useParams();
  const id = ThreadId.safeParse(threadId);
  if (!id.success) return <Navigate to="/inbox/mine" replace />;
  // key: a different thread is a fresh screen (scroll position, folded quotes, selection).
  return <ThreadScreen key={id.data} threadId={id.data} />;
}

function ThreadScreen({ threadId }: { threadId: string }) {
  const thread = useThread(threadId);
  const viewers = useThreadRoom(threadId);
  const update = useUpdateThread(threadId);
  const composer = useRef<ComposerHandle>(null);
  const [search, setSearch] = useSearchParams();
  const loaded = thread.isSuccess;

  useShortcuts({
    r: () => composer.current?.focus(),
    e: () =>
      update.mutate(
        { status: 'resolved' },
        { onError: (e) => notifications.show({ color: 'red', title: 'Cannot resolve', message: e.message }) },
      ),
    a: openAssigneePicker,
  });

  // Arriving from the inbox with r or a: do what the key asked for once the thread is on screen.
  const intent = search.get('do');
  useEffect(() => {
    if (!loaded || !intent) return;
    const id = setTimeout(() => {
      if (intent === 'reply') composer.current?.focus();
      if (intent === 'assign') openAssigneePicker();
    }, 0);
    setSearch((p) => {
      const next = new URLSearchParams(p);
      next.delete('do');
      return next;
    }, { replace: true });
    return () => clearTimeout(id);
  }, [loaded, intent, setSearch]);

  if (thread.isPending) {
    return (
      <Center h="100%">
        <Loader size="sm" />
      </Center>
    );
  }
  if (thread.isError) {
    return (
      <Alert color="red" m="md" title={isApiError(thread.error) && thread.error.status === 404 ? 'Thread not found' : 'Cannot load the thread'}>
        {thread.error.message}
      </Alert>
    );
  }

  return (
    <Box style={{ display: 'flex', height: '100%', minHeight: 0 }}>
      <Box style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }}>
        <ThreadHeader thread={thread.data} viewers={viewers} />
        <MessageList threadId={threadId} />
        <EmailSuggestions thread={thread.data} />
        <Composer ref={composer} thread={thread.data} viewers={viewers} />
      </Box>
      <Box
        visibleFrom="md"
        w={320}
        style={{ borderLeft: '1px solid var(--mantine-color-gray-3)', overflowY: 'auto', flexShrink: 0 }}
      >
        <CustomerPanel contact={thread.data.contact} currentThreadId={threadId} repeatContact={thread.data.flags?.repeatContact} />
      </Box>
    </Box>
  );
}
