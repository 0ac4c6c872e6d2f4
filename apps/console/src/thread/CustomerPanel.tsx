import { Alert, Badge, Box, Button, Divider, Group, Loader, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import type { ThreadSummary } from '@desk/contracts';

// The contracts export the ContactRef schema but not its inferred type.
type ContactRef = ThreadSummary['contact'];
import { Link } from 'react-router-dom';
import { useContact, useContactThreads } from '../api/hooks';
import { ChannelMark } from '../lib/channels';
import { formatDateTime } from '../lib/time';

/** The customer beside the conversation: who they are on every channel and everything they sent us. */
export function CustomerPanel({
  contact,
  currentThreadId,
  repeatContact,
}: {
  contact: ContactRef;
  currentThreadId: string;
  repeatContact?: { count: number; windowDays: number } | undefined;
}) {
  const details = useContact(contact.id);
  const threads = useContactThreads(contact.id);
  const all = threads.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack gap="sm" p="md" data-testid="customer-panel">
      <div>
        <Title order={4} data-testid="customer-name">
          {details.data?.name ?? contact.name ?? contact.primaryEmail ?? 'Unknown customer'}
        </Title>
        {(details.data?.primaryEmail ?? contact.primaryEmail) && (
          <Text size="sm" c="dimmed">
            {details.data?.primaryEmail ?? contact.primaryEmail}
          </Text>
        )}
      </div>
      {repeatContact && (
        <Badge color="orange" variant="light" data-testid="repeat-contact" title="New conversations from this customer in the window">
          Repeat contact: {repeatContact.count} in {repeatContact.windowDays} days
        </Badge>
      )}
      {details.data && details.data.tags.length > 0 && (
        <Group gap={4}>
          {details.data.tags.map((t) => (
            <Badge key={t} size="xs" variant="outline">
              {t}
            </Badge>
          ))}
        </Group>
      )}

      <Divider label="Identities" labelPosition="left" />
      {details.isPending && <Loader size="xs" />}
      {details.isError && <Alert color="red">{details.error.message}</Alert>}
      <Stack gap={6} data-testid="customer-identities">
        {details.data?.identities.map((id) => (
          <Group key={id.id} gap="xs" wrap="nowrap" data-testid="customer-identity">
            <ChannelMark channel={id.kind} />
            <Box style={{ minWidth: 0 }}>
              <Text size="sm" truncate>
                {id.value}
              </Text>
              {id.displayName && id.displayName !== id.value && (
                <Text size="xs" c="dimmed" truncate>
                  {id.displayName}
                </Text>
              )}
            </Box>
          </Group>
        ))}
      </Stack>

      <Divider label="Conversations" labelPosition="left" />
      {threads.isPending && <Loader size="xs" />}
      {threads.isError && <Alert color="red">{threads.error.message}</Alert>}
      <Stack gap={2} data-testid="customer-threads">
        {all.map((t) => {
          const current = t.id === currentThreadId;
          return (
            <UnstyledButton
              key={t.id}
              component={Link}
              to={`/threads/${t.id}`}
              p={6}
              data-testid="customer-thread"
              data-current={current || undefined}
              aria-current={current ? 'page' : undefined}
              style={{
                borderRadius: 4,
                background: current ? 'var(--mantine-color-indigo-0)' : undefined,
              }}
            >
              <Group gap={6} wrap="nowrap">
                <ChannelMark channel={t.channel} />
                <Box style={{ minWidth: 0, flex: 1 }}>
                  <Text size="sm" truncate>
                    #{t.number} {t.subject ?? t.preview ?? '(no subject)'}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t.status} · {formatDateTime(t.lastMessageAt ?? t.createdAt)}
                  </Text>
                </Box>
              </Group>
            </UnstyledButton>
          );
        })}
      </Stack>
      {threads.hasNextPage && (
        <Button variant="subtle" size="xs" loading={threads.isFetchingNextPage} onClick={() => void threads.fetchNextPage()}>
          Older conversations
        </Button>
      )}
    </Stack>
  );
}
