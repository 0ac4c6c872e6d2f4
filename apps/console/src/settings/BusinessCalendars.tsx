import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  FileInput,
  Group,
  Loader,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { BusinessCalendarInput, ImportHolidaysRequest, type BusinessCalendarDto } from '@desk/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api } from '../api/endpoints';
import { keys } from '../api/keys';
import { fieldErrorsOf, fieldErrorsOfZod, unplacedErrors, useSlaCalendars, type FieldErrors } from './queries';

type Weekly = BusinessCalendarInput['weeklyHours'];
type Day = keyof Weekly;
const DAYS: Array<{ key: Day; label: string }> = [
  { key: 'mon', label: 'Monday' },
  { key: 'tue', label: 'Tuesday' },
  { key: 'wed', label: 'Wednesday' },
  { key: 'thu', label: 'Thursday' },
  { key: 'fri', label: 'Friday' },
  { key: 'sat', label: 'Saturday' },
  { key: 'sun', label: 'Sunday' },
];
const WORKDAY: Array<[string, string]> = [['09:00', '17:00']];
const EMPTY_WEEK: Weekly = { mon: WORKDAY, tue: WORKDAY, wed: WORKDAY, thu: WORKDAY, fri: WORKDAY, sat: [], sun: [] };

/** Every IANA zone this browser knows; the server re-checks the one chosen. */
function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

const summary = (ranges: Array<[string, string]>) => (ranges.length ? ranges.map(([a, b]) => `${a}–${b}`).join(', ') : 'closed');

/** Admins: business calendars (zone, weekly hours with split shifts, closed dates) that SLA targets count in. */
export default function BusinessCalendars() {
  const calendars = useSlaCalendars();
  const [editing, setEditing] = useState<BusinessCalendarDto | 'new' | null>(null);
  return (
    <Stack gap="sm" data-testid="business-calendars">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          SLA targets count only the open hours of a policy&apos;s calendar, in its time zone; holidays are closed all day.
        </Text>
        <Button onClick={() => setEditing('new')} data-testid="calendar-new">
          New calendar
        </Button>
      </Group>
      {calendars.isPending && <Loader size="sm" />}
      {calendars.isError && <Alert color="red">{calendars.error.message}</Alert>}
      {calendars.data && calendars.data.length > 0 && (
        <Table data-testid="calendars-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Time zone</Table.Th>
              <Table.Th>Weekly hours</Table.Th>
              <Table.Th>Holidays</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {calendars.data.map((c) => (
              <Table.Tr key={c.id} data-testid="calendar-row">
                <Table.Td>{c.name}</Table.Td>
                <Table.Td>{c.timeZone}</Table.Td>
                <Table.Td>
                  {DAYS.map((d) => (
                    <Text key={d.key} size="xs">
                      {d.label.slice(0, 3)} {summary(c.weeklyHours[d.key])}
                    </Text>
                  ))}
                </Table.Td>
                <Table.Td>{c.holidays.length}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="default" onClick={() => setEditing(c)} data-testid="calendar-edit">
                    Edit
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {calendars.isSuccess && calendars.data.length === 0 && (
        <Text size="sm" c="dimmed">
          No calendars: policies count targets around the clock.
        </Text>
      )}
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New calendar' : 'Edit calendar'} size="xl">
        {editing !== null && <CalendarForm calendar={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
    </Stack>
  );
}

function CalendarForm({ calendar, onDone }: { calendar: BusinessCalendarDto | null; onDone: () => void }) {
  const qc = useQueryClient();
  const zones = useMemo(timeZones, []);
  const [name, setName] = useState(calendar?.name ?? '');
  const [timeZone, setTimeZone] = useState<string | null>(calendar?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [weekly, setWeekly] = useState<Weekly>(calendar?.weeklyHours ?? EMPTY_WEEK);
  const [holidays, setHolidays] = useState<string[]>(calendar?.holidays ?? []);
  const [newHoliday, setNewHoliday] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});

  const save = useMutation({
    mutationFn: (body: BusinessCalendarInput) => (calendar ? api.updateSlaCalendar(calendar.id, body) : api.createSlaCalendar(body)),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.slaCalendars });
      notifications.show({ color: 'green', message: calendar ? 'Calendar saved' : 'Calendar created' });
      onDone();
    },
    onError: (e) => setErrors(fieldErrorsOf(e)),
  });

  const setDay = (day: Day, ranges: Array<[string, string]>) => setWeekly((w) => ({ ...w, [day]: ranges }));
  const submit = () => {
    const parsed = BusinessCalendarInput.safeParse({ name, timeZone: timeZone ?? '', weeklyHours: weekly, holidays });
    if (!parsed.success) {
      setErrors(fieldErrorsOfZod(parsed.error));
      return;
    }
    setErrors({});
    save.mutate(parsed.data);
  };
  const addHoliday = () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(newHoliday)) return;
    setHolidays((h) => [...new Set([...h, newHoliday])].sort());
    setNewHoliday('');
  };
  const dayError = (day: Day) => errors[`weeklyHours.${day}`] ?? Object.entries(errors).find(([p]) => p.startsWith(`weeklyHours.${day}.`))?.[1];
  const unplaced = unplacedErrors(errors, ['name', 'timeZone', 'weeklyHours', 'holidays']);
  const nonField = save.isError && Object.keys(fieldErrorsOf(save.error)).length === 0 ? save.error.message : null;

  return (
    <Stack gap="sm" data-testid="calendar-form">
      <Group grow align="flex-start">
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-testid="calendar-name" />
        <Select
          label="Time zone"
          data={zones}
          value={timeZone}
          onChange={setTimeZone}
          searchable
          allowDeselect={false}
          limit={200}
          nothingFoundMessage="No such zone"
          error={errors.timeZone}
          data-testid="calendar-zone"
        />
      </Group>

      <Title order={6}>Weekly hours (local time; several ranges for split shifts; 24:00 ends a day)</Title>
      {DAYS.map((d) => (
        <Group key={d.key} align="flex-start" gap="xs" data-testid={`day-${d.key}`}>
          <Text size="sm" w={90} pt={6}>
            {d.label}
          </Text>
          <Stack gap={4}>
            {weekly[d.key].length === 0 && (
              <Text size="sm" c="dimmed" pt={6}>
                Closed
              </Text>
            )}
            {weekly[d.key].map(([from, to], i) => (
              <Group key={i} gap={4} wrap="nowrap">
                <TextInput
                  aria-label={`${d.label} range ${i + 1} opens`}
                  value={from}
                  onChange={(e) => setDay(d.key, weekly[d.key].map((r, j) => (j === i ? [e.currentTarget.value, r[1]] : r)))}
                  placeholder="09:00"
                  w={80}
                  error={Boolean(errors[`weeklyHours.${d.key}.${i}.0`])}
                />
                <Text size="sm">–</Text>
                <TextInput
                  aria-label={`${d.label} range ${i + 1} closes`}
                  value={to}
                  onChange={(e) => setDay(d.key, weekly[d.key].map((r, j) => (j === i ? [r[0], e.currentTarget.value] : r)))}
                  placeholder="17:00"
                  w={80}
                  error={Boolean(errors[`weeklyHours.${d.key}.${i}.1`])}
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={`Remove ${d.label} range ${i + 1}`}
                  onClick={() => setDay(d.key, weekly[d.key].filter((_, j) => j !== i))}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
            {dayError(d.key) && (
              <Text size="xs" c="red" data-testid={`day-${d.key}-error`}>
                {dayError(d.key)}
              </Text>
            )}
          </Stack>
          <Button
            size="xs"
            variant="subtle"
            onClick={() => {
              const last = weekly[d.key].at(-1);
              setDay(d.key, [...weekly[d.key], last ? [last[1], last[1]] : ['09:00', '17:00']]);
            }}
            aria-label={`Add ${d.label} range`}
          >
            + range
          </Button>
        </Group>
      ))}

      <Title order={6}>Holidays (closed all day)</Title>
      <Group gap={4} data-testid="holidays">
        {holidays.length === 0 && (
          <Text size="sm" c="dimmed">
            None
          </Text>
        )}
        {holidays.map((h) => (
          <Badge
            key={h}
            variant="light"
            rightSection={
              <ActionIcon size="xs" variant="transparent" aria-label={`Remove ${h}`} onClick={() => setHolidays((all) => all.filter((x) => x !== h))}>
                ×
              </ActionIcon>
            }
          >
            {h}
          </Badge>
        ))}
      </Group>
      <Group align="flex-end" gap="xs">
        <TextInput
          type="date"
          label="Add a date"
          value={newHoliday}
          onChange={(e) => setNewHoliday(e.currentTarget.value)}
          error={errors.holidays ?? Object.entries(errors).find(([p]) => p.startsWith('holidays.'))?.[1]}
          data-testid="holiday-date"
        />
        <Button variant="default" onClick={addHoliday} disabled={!newHoliday} data-testid="holiday-add">
          Add
        </Button>
      </Group>

      {unplaced.length > 0 && <Alert color="red">{unplaced.join('; ')}</Alert>}
      {nonField && <Alert color="red">{nonField}</Alert>}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button onClick={submit} loading={save.isPending} data-testid="calendar-save">
          {calendar ? 'Save' : 'Create'}
        </Button>
      </Group>

      {/* merged, so unsaved edits in the list survive an import */}
      {calendar && <IcsImport calendar={calendar} onImported={(c) => setHolidays((h) => [...new Set([...h, ...c.holidays])].sort())} />}
    </Stack>
  );
}

/** FileReader rather than Blob.text(): the same in every browser and in the test DOM. */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ''));
    reader.onerror = () => reject(new Error(`ics: cannot read ${file.name}`));
    reader.readAsText(file);
  });
}

/**
 * The api takes the file's text (`ics`) and a date range; the browser reads the chosen file. A URL
 * is not offered: the api does not fetch calendars, and most calendar hosts refuse cross-origin reads.
 */
function IcsImport({ calendar, onImported }: { calendar: BusinessCalendarDto; onImported: (c: BusinessCalendarDto) => void }) {
  const qc = useQueryClient();
  const year = new Date().getFullYear();
  const [file, setFile] = useState<File | null>(null);
  const [from, setFrom] = useState(`${year}-01-01`);
  const [to, setTo] = useState(`${year + 1}-12-31`);
  const [errors, setErrors] = useState<FieldErrors>({});
  const run = useMutation({
    mutationFn: async () => {
      const parsed = ImportHolidaysRequest.safeParse({ ics: file ? await readText(file) : '', from, to });
      if (!parsed.success) {
        setErrors(fieldErrorsOfZod(parsed.error));
        return null;
      }
      return api.importHolidays(calendar.id, parsed.data);
    },
    onSuccess: (c) => {
      if (!c) return;
      setErrors({});
      setFile(null);
      onImported(c);
      void qc.invalidateQueries({ queryKey: keys.slaCalendars });
      const added = c.holidays.length - calendar.holidays.length;
      notifications.show({ color: 'green', message: `Imported: ${added} new holiday${added === 1 ? '' : 's'}` });
    },
    onError: (e) => setErrors(fieldErrorsOf(e)),
  });
  const nonField = run.isError && Object.keys(fieldErrorsOf(run.error)).length === 0 ? run.error.message : null;
  return (
    <Stack gap="xs" mt="sm" data-testid="ics-import">
      <Title order={6}>Import iCalendar (.ics)</Title>
      <Text size="xs" c="dimmed">
        All-day events between the two dates become holidays (merged with the list above; repeating events are expanded). Unsaved
        edits above are kept in the form.
      </Text>
      <Group align="flex-start" gap="xs">
        <FileInput
          label="File"
          placeholder="Choose a .ics file"
          accept=".ics,text/calendar"
          value={file}
          onChange={setFile}
          error={errors.ics}
          clearable
          w={240}
          data-testid="ics-file"
        />
        <TextInput type="date" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} error={errors.from} />
        <TextInput type="date" label="To" value={to} onChange={(e) => setTo(e.currentTarget.value)} error={errors.to} />
        <Button mt={24} onClick={() => run.mutate()} disabled={!file} loading={run.isPending} data-testid="ics-import-submit">
          Import
        </Button>
      </Group>
      {nonField && <Alert color="red">{nonField}</Alert>}
    </Stack>
  );
}
