import { Badge, Button, Combobox, Group, Text, useCombobox } from '@mantine/core';
import type { CannedReply } from '@desk/contracts';
import { useState } from 'react';
import { useCannedReplies } from '../api/hooks';

const MAX_SHOWN = 50;

function matches(r: CannedReply, q: string): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return [r.title, r.shortcut ?? '', r.body].some((s) => s.toLowerCase().includes(needle));
}

/** "Canned": a searchable list of the agent's canned replies; the composer expands the one picked. */
export function CannedPicker({ onPick }: { onPick: (reply: CannedReply) => void }) {
  const replies = useCannedReplies();
  const [search, setSearch] = useState('');
  const combobox = useCombobox({
    onDropdownClose: () => {
      combobox.resetSelectedOption();
      setSearch('');
    },
    onDropdownOpen: () => combobox.focusSearchInput(),
  });
  const shown = (replies.data ?? []).filter((r) => matches(r, search.trim())).slice(0, MAX_SHOWN);

  return (
    <Combobox
      store={combobox}
      width={340}
      position="top-start"
      withinPortal
      onOptionSubmit={(id) => {
        const picked = replies.data?.find((r) => r.id === id);
        combobox.closeDropdown();
        if (picked) onPick(picked);
      }}
    >
      <Combobox.Target withAriaAttributes={false}>
        <Button size="xs" variant="default" onClick={() => combobox.toggleDropdown()} data-testid="canned-open">
          Canned
        </Button>
      </Combobox.Target>
      <Combobox.Dropdown data-testid="canned-dropdown">
        <Combobox.Search
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            combobox.updateSelectedOptionIndex();
          }}
          placeholder="Search canned replies"
          data-testid="canned-search"
        />
        <Combobox.Options mah={280} style={{ overflowY: 'auto' }}>
          {replies.isPending && <Combobox.Empty>Loading…</Combobox.Empty>}
          {replies.isError && <Combobox.Empty>{replies.error.message}</Combobox.Empty>}
          {replies.isSuccess && shown.length === 0 && <Combobox.Empty>No canned reply matches</Combobox.Empty>}
          {shown.map((r) => (
            <Combobox.Option value={r.id} key={r.id} data-testid="canned-option">
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text size="sm" truncate>
                  {r.title}
                </Text>
                <Group gap={4} wrap="nowrap">
                  {r.shortcut && (
                    <Text size="xs" c="dimmed" ff="monospace">
                      /{r.shortcut}
                    </Text>
                  )}
                  {r.scope !== 'personal' && (
                    <Badge size="xs" variant="light" color={r.scope === 'global' ? 'gray' : 'blue'}>
                      {r.scope}
                    </Badge>
                  )}
                </Group>
              </Group>
              <Text size="xs" c="dimmed" lineClamp={1}>
                {r.body}
              </Text>
            </Combobox.Option>
          ))}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}
