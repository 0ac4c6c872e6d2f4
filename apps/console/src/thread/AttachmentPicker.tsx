import { ActionIcon, Button, FileButton, Group, Paper, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { useRef } from 'react';
import { formatBytes, type AttachmentUploads } from './useAttachmentUploads';

/**
 * Files for the reply or note being written: pick (several at once), watch each upload, remove
 * any before sending. The state lives in `useAttachmentUploads`, owned by the composer, which
 * sends `uploads.ids` as `attachmentIds`.
 */
export function AttachmentPicker({ uploads, disabled = false }: { uploads: AttachmentUploads; disabled?: boolean }) {
  const reset = useRef<() => void>(null);
  return (
    <Stack gap={4} data-testid="attachment-picker">
      {uploads.items.length > 0 && (
        <Stack gap={4}>
          {uploads.items.map((it) => (
            <Paper key={it.key} withBorder px="xs" py={4} radius="sm" data-testid="attachment-item" data-status={it.status}>
              <Group gap="xs" wrap="nowrap" justify="space-between">
                <Text size="xs" truncate="end" style={{ minWidth: 0, flex: 1 }} title={it.name}>
                  📎 {it.name}
                </Text>
                <Text size="xs" c="dimmed" data-testid="attachment-size">
                  {formatBytes(it.size)}
                </Text>
                <Tooltip label={it.status === 'uploading' ? 'Cancel upload' : 'Remove'}>
                  <ActionIcon
                    size="xs"
                    variant="subtle"
                    color="gray"
                    aria-label={`Remove ${it.name}`}
                    onClick={() => uploads.remove(it.key)}
                    data-testid="attachment-remove"
                  >
                    ✕
                  </ActionIcon>
                </Tooltip>
              </Group>
              {it.status === 'uploading' && (
                <Progress value={it.progress} size="xs" mt={4} aria-label={`Uploading ${it.name}`} data-testid="attachment-progress" />
              )}
              {it.status === 'error' && (
                <Text size="xs" c="red" data-testid="attachment-error">
                  {it.error}
                </Text>
              )}
            </Paper>
          ))}
        </Stack>
      )}
      {uploads.problem && (
        <Text size="xs" c="red" data-testid="attachment-problem">
          {uploads.problem}
        </Text>
      )}
      <Group gap="xs">
        <FileButton
          multiple
          resetRef={reset}
          disabled={disabled}
          onChange={(files) => {
            uploads.add(files);
            // the same file can be picked again after it was removed
            reset.current?.();
          }}
          inputProps={{ 'aria-label': 'Attach files', 'data-testid': 'attachment-input' } as React.ComponentPropsWithoutRef<'input'>}
        >
          {(props) => (
            <Button {...props} size="compact-xs" variant="subtle" disabled={disabled} data-testid="attachment-add">
              📎 Attach files
            </Button>
          )}
        </FileButton>
      </Group>
    </Stack>
  );
}
