import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { ThreadDetail } from '@desk/contracts';
import { useState } from 'react';
import { useEmailSuggestions, useLinkIdentity } from '../api/hooks';

const storageKey = (threadId: string) => `desk.email-suggestions.dismissed.${threadId}`;

/** Dismissals last for the browser tab: the agent said "no" for this thread, not forever. */
function readDismissed(threadId: string): string[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(storageKey(threadId)) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

function writeDismissed(threadId: string, addresses: string[]): void {
  try {
    sessionStorage.setItem(storageKey(threadId), JSON.stringify(addresses));
  } catch {
    // storage full or disabled: the dismissal lasts until the page reloads, which is fine
  }
}

/**
 * "Is this their email?": a customer on a social channel often writes their address in a message.
 * One click links it to the contact, after which the conversation can continue by email.
 */
export function EmailSuggestions({ thread }: { thread: ThreadDetail }) {
  const social = thread.channel !== 'email';
  const suggestions = useEmailSuggestions(thread.id, social);
  const link = useLinkIdentity(thread.contact.id);
  const [dismissed, setDismissed] = useState(() => readDismissed(thread.id));
  // hidden at once on success; the refetched suggestions no longer list it either
  const [linked, setLinked] = useState<string[]>([]);
  const shown = (suggestions.data?.addresses ?? []).filter((a) => !dismissed.includes(a) && !linked.includes(a));
  if (!social || shown.length === 0) return null;

  const dismiss = (address: string) => {
    const next = [...dismissed, address];
    setDismissed(next);
    writeDismissed(thread.id, next);
  };
  const linkAddress = (address: string) =>
    link.mutate(
      { kind: 'email', value: address },
      {
        onSuccess: () => {
          setLinked((l) => [...l, address]);
          notifications.show({ color: 'green', message: `${address} is now linked to this customer` });
        },
      },
    );

  return (
    <Stack gap={4} px="md" py={6} data-testid="email-suggestions">
      {shown.map((address) => (
        <Alert key={address} color="teal" variant="light" p="xs" data-testid="email-suggestion" data-address={address}>
          <Group gap="xs" wrap="nowrap" justify="space-between">
            <Text size="sm" style={{ minWidth: 0 }}>
              Is this their email? The customer wrote <b>{address}</b> —
            </Text>
            <Group gap={4} wrap="nowrap">
              <Button
                size="compact-xs"
                variant="light"
                loading={link.isPending && link.variables?.value === address}
                onClick={() => linkAddress(address)}
                data-testid="email-suggestion-link"
              >
                Link to this customer
              </Button>
              <Button size="compact-xs" variant="subtle" color="gray" onClick={() => dismiss(address)} data-testid="email-suggestion-dismiss">
                Dismiss
              </Button>
            </Group>
          </Group>
          {link.isError && link.variables?.value === address && (
            <Text size="xs" c="red" mt={4} data-testid="email-suggestion-error">
              {link.error.message.replace(/^value: /, '')}
            </Text>
          )}
        </Alert>
      ))}
    </Stack>
  );
}
