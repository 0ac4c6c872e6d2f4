import { Box, Group, Loader, Paper, Popover, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../api/endpoints';
import { keys } from '../api/keys';
import { ChannelMark } from '../lib/channels';
import { formatDateTime } from '../lib/time';
import { Highlight } from './highlight';

/** The header's one box: threads by number, customers by name/address/handle, messages by words. */
export function SearchBox() {
  const navigate = useNavigate();
  const [value, setValue] = useState('');
  const [open, setOpen] = useState(false);
  const [q] = useDebouncedValue(value.trim(), 250);
  const results = useQuery({
    queryKey: keys.search(q),
    queryFn: ({ signal }) => api.search(q, signal),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });

  const go = (to: string) => {
    setOpen(false);
    navigate(to);
  };

  const data = q ? results.data : undefined;
  const empty = data && data.threads.length + data.contacts.length + data.messages.length === 0;

  return (
    <Popover opened={open && q.length > 0} position="bottom-start" width={480} shadow="md" onChange={setOpen}>
      <Popover.Target>
        <TextInput
          size="xs"
          w={{ base: 160, sm: 300 }}
          placeholder="Search #number, customer, words…"
          aria-label="Search"
          value={value}
          onChange={(e) => {
            setValue(e.currentTarget.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
          }}
          rightSection={results.isFetching ? <Loader size={12} /> : null}
          data-testid="search-box"
        />
      </Popover.Target>
      <Popover.Dropdown p={0}>
        <Box mah={460} style={{ overflowY: 'auto' }} data-testid="search-results">
          {results.isError && (
            <Text c="red" size="sm" p="sm">
              {results.error.message}
            </Text>
          )}
          {empty && (
            <Text c="dimmed" size="sm" p="sm" data-testid="search-empty">
              No results for “{q}”.
            </Text>
          )}
          {data && data.threads.length > 0 && (
            <Group_ title="Threads">
              {data.threads.map((t) => (
                <Result key={t.id} kind="thread" onClick={() => go(`/threads/${t.id}`)}>
                  <Group gap={6} wrap="nowrap">
                    <ChannelMark channel={t.channel} />
                    <Text size="sm" truncate>
                      #{t.number} {t.subject ?? t.preview ?? ''}
                    </Text>
                  </Group>
                  <Text size="xs" c="dimmed">
                    {t.contact.name ?? t.contact.primaryEmail ?? ''} · {t.status}
                  </Text>
                </Result>
              ))}
            </Group_>
          )}
          {data && data.contacts.length > 0 && (
            <Group_ title="Customers">
              {data.contacts.map((c) => (
                <Result
                  key={c.id}
                  kind="contact"
                  onClick={() => {
                    // No customer page yet: open their newest conversation, whose panel lists the rest.
                    api.contactThreads(c.id).then(
                      (p) => {
                        const newest = p.items[0];
                        if (newest) go(`/threads/${newest.id}`);
                      },
                      () => undefined,
                    );
                  }}
                >
                  <Text size="sm" truncate>
                    {c.name ?? c.primaryEmail ?? 'Unknown customer'}
                  </Text>
                  <Text size="xs" c="dimmed" truncate>
                    {c.identities.map((i) => i.value).join(' · ')}
                  </Text>
                </Result>
              ))}
            </Group_>
          )}
          {data && data.messages.length > 0 && (
            <Group_ title="Messages">
              {data.messages.map((m) => (
                <Result key={m.messageId} kind="message" onClick={() => go(`/threads/${m.threadId}`)}>
                  <Group gap={6} wrap="nowrap">
                    <ChannelMark channel={m.channel} />
                    <Text size="xs" c="dimmed" truncate>
                      #{m.threadNumber} {m.threadSubject ?? ''} · {formatDateTime(m.createdAt)}
                    </Text>
                  </Group>
                  <Text size="sm" lineClamp={3} data-testid="search-highlight">
                    <Highlight text={m.highlight} />
                  </Text>
                </Result>
              ))}
            </Group_>
          )}
        </Box>
      </Popover.Dropdown>
    </Popover>
  );
}

function Group_({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Stack gap={0} py={4}>
      <Text size="xs" tt="uppercase" fw={700} c="dimmed" px="sm" py={4}>
        {title}
      </Text>
      {children}
    </Stack>
  );
}

function Result({ kind, onClick, children }: { kind: string; onClick: () => void; children: React.ReactNode }) {
  return (
    <UnstyledButton onClick={onClick} px="sm" py={6} data-testid="search-result" data-kind={kind} style={{ display: 'block', width: '100%' }}>
      <Paper bg="transparent">{children}</Paper>
    </UnstyledButton>
  );
}
