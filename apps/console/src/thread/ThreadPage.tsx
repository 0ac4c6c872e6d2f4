import { Alert, Box, Center, Loader } from '@mantine/core';
import { Navigate, useParams } from 'react-router-dom';
import { z } from 'zod';
import { isApiError } from '../api/client';
import { useThread } from '../api/hooks';
import { useThreadRoom } from '../realtime/SocketProvider';
import { CustomerPanel } from './CustomerPanel';
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
      </Box>
      <Box
        visibleFrom="md"
        w={320}
        style={{ borderLeft: '1px solid var(--mantine-color-gray-3)', overflowY: 'auto', flexShrink: 0 }}
      >
        <CustomerPanel contact={thread.data.contact} currentThreadId={threadId} />
      </Box>
    </Box>
  );
}
