import { Group, NativeSelect, NumberInput } from '@mantine/core';
import { useState } from 'react';

type Unit = 'min' | 'h';

interface Props {
  label: string;
  /** Business minutes; '' while empty. */
  value: number | '';
  onChange: (minutes: number | '') => void;
  error?: string;
  description?: string;
  'data-testid'?: string;
}

/** A target in business minutes, typed in minutes or hours; the server always receives minutes. */
export function DurationInput({ label, value, onChange, error, description, 'data-testid': testId }: Props) {
  const [unit, setUnit] = useState<Unit>(() => (value !== '' && value >= 60 && value % 60 === 0 ? 'h' : 'min'));
  const shown = value === '' ? '' : unit === 'h' ? Number((value / 60).toFixed(4)) : value;
  const emit = (n: number | string, u: Unit) => {
    const num = typeof n === 'number' ? n : n.trim() === '' ? NaN : Number(n);
    onChange(Number.isFinite(num) ? (u === 'h' ? Math.round(num * 60 * 100) / 100 : num) : '');
  };
  return (
    <Group gap={4} align="flex-start" wrap="nowrap">
      <NumberInput
        label={label}
        description={description}
        value={shown}
        onChange={(n) => emit(n, unit)}
        min={0}
        decimalScale={2}
        error={error}
        w={150}
        data-testid={testId}
      />
      <NativeSelect
        label="Unit"
        aria-label={`${label} unit`}
        data={[
          { value: 'min', label: 'business min' },
          { value: 'h', label: 'business h' },
        ]}
        value={unit}
        // switching the unit keeps the duration: 2 h becomes 120 min, not 2 min
        onChange={(e) => setUnit(e.currentTarget.value as Unit)}
        w={130}
        data-testid={testId ? `${testId}-unit` : undefined}
      />
    </Group>
  );
}
