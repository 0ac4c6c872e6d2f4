import { Button, Group, Textarea, type ButtonProps } from '@mantine/core';

/** The "why" every audited action asks for (merges, moves, reassignments): it is kept in the audit trail. */
export function ReasonField(props: {
  value: string;
  onChange: (value: string) => void;
  /** null or undefined: no error */
  error?: string | null;
  description?: string;
  placeholder?: string;
  required?: boolean;
  testId: string;
}) {
  return (
    <Textarea
      label="Reason"
      description={props.description}
      placeholder={props.placeholder}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      error={props.error ?? undefined}
      required={props.required}
      autosize
      minRows={2}
      data-testid={props.testId}
    />
  );
}

/**
 * A modal's Cancel and confirm buttons. Without `onSubmit` the confirm button submits the
 * surrounding form (Enter works too).
 */
export function ModalActions(props: {
  onCancel: () => void;
  label: string;
  loading: boolean;
  testId: string;
  onSubmit?: () => void;
  disabled?: boolean;
  color?: ButtonProps['color'];
}) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={props.onCancel}>
        Cancel
      </Button>
      <Button
        type={props.onSubmit ? 'button' : 'submit'}
        onClick={props.onSubmit}
        color={props.color}
        loading={props.loading}
        disabled={props.disabled}
        data-testid={props.testId}
      >
        {props.label}
      </Button>
    </Group>
  );
}
