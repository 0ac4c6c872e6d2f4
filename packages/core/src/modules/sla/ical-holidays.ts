/**
 * Holidays from an iCalendar (.ics) feed, e.g. a public-holiday calendar, as the local dates a
 * BusinessCalendarSpec closes. Parsing and recurrence expansion are ical.js's; this file only
 * picks the all-day events and turns them into 'YYYY-MM-DD'. Pure: the caller fetches the text.
 */
import ICAL from 'ical.js';

type Component = InstanceType<typeof ICAL.Component>;
type Event = InstanceType<typeof ICAL.Event>;
type Time = InstanceType<typeof ICAL.Time>;

export interface IcalHolidayRange {
  /** First local date included, 'YYYY-MM-DD'. */
  from: string;
  /** Last local date included, 'YYYY-MM-DD'. */
  to: string;
}

const DAY_MS = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Guards against a rule like FREQ=DAILY from 1900 expanded into a far `to`. */
const MAX_OCCURRENCES_PER_EVENT = 50_000;

/**
 * The sorted, distinct local dates in [from, to] covered by the all-day VEVENTs of `icsText`
 * (DTSTART;VALUE=DATE). A multi-day event covers DTSTART up to the day before DTEND (DTEND is
 * exclusive; without DTEND or DURATION it is one day). RRULE/RDATE/EXDATE are expanded and
 * RECURRENCE-ID overrides applied by ical.js. Timed events and STATUS:CANCELLED events are ignored.
 * Throws an Error starting with "invalid iCalendar data" for text that is not a VCALENDAR.
 */
export function parseIcalHolidays(icsText: string, opts: IcalHolidayRange): string[] {
  const from = parseDate(opts.from, 'from');
  const to = parseDate(opts.to, 'to');
  if (to < from) throw new Error(`to: ${opts.to} is before from: ${opts.from}`);

  const dates = new Set<number>();
  for (const master of readEvents(icsText)) {
    if (!master.startDate.isDate || isCancelled(master.component)) continue;
    const addOccurrence = (start: Time, end: Time) => {
      const first = epochDay(start);
      // DTEND is exclusive; an event that ends where it starts (or before) still closes its day.
      const last = Math.max(first, epochDay(end) - 1);
      for (let day = Math.max(first, from); day <= Math.min(last, to); day++) dates.add(day);
      return first;
    };

    if (!master.isRecurring()) {
      addOccurrence(master.startDate, master.endDate);
      continue;
    }
    const iterator = master.iterator();
    for (let n = 0; ; n++) {
      if (n >= MAX_OCCURRENCES_PER_EVENT) {
        throw new Error(
          `invalid iCalendar data: event ${master.uid} recurs more than ${MAX_OCCURRENCES_PER_EVENT} times before ${opts.to}`,
        );
      }
      const occurrence = iterator.next();
      if (!occurrence) break;
      const details = master.getOccurrenceDetails(occurrence);
      if (isCancelled(details.item.component)) continue;
      // An override may move an occurrence; the series itself is ordered by its original date.
      addOccurrence(details.startDate, details.endDate);
      if (epochDay(occurrence) > to) break;
    }
  }
  return [...dates].sort((a, b) => a - b).map(formatDate);
}

/** Master events with their RECURRENCE-ID overrides related, in file order. */
function readEvents(icsText: string): Event[] {
  if (typeof icsText !== 'string' || icsText.trim() === '')
    throw new Error('invalid iCalendar data: empty input');
  let jcal: unknown;
  try {
    jcal = ICAL.parse(icsText);
  } catch (error) {
    throw new Error(`invalid iCalendar data: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  // Several top-level components parse to an array of components instead of one.
  const roots = Array.isArray(jcal) && Array.isArray(jcal[0]) ? (jcal as unknown[]) : [jcal];
  const calendars = roots.map((root) => new ICAL.Component(root as unknown[]));
  if (calendars.length === 0 || calendars.some((c) => c.name !== 'vcalendar')) {
    throw new Error('invalid iCalendar data: expected BEGIN:VCALENDAR ... END:VCALENDAR');
  }

  const masters = new Map<string, Event>();
  const overrides: Component[] = [];
  const ordered: Event[] = [];
  for (const calendar of calendars) {
    for (const vevent of calendar.getAllSubcomponents('vevent')) {
      checkDates(vevent);
      if (vevent.hasProperty('recurrence-id')) {
        overrides.push(vevent);
        continue;
      }
      const event = new ICAL.Event(vevent);
      ordered.push(event);
      if (event.uid) masters.set(event.uid, event);
    }
  }
  for (const override of overrides) {
    const uid = override.getFirstPropertyValue('uid');
    const master = typeof uid === 'string' ? masters.get(uid) : undefined;
    // An override without its series is a plain event of its own.
    if (master) master.relateException(override);
    else ordered.push(new ICAL.Event(override));
  }
  return ordered;
}

/** ical.js is lenient with dates ("2026011" becomes 2026-01-01); a holiday feed should not be. */
function checkDates(vevent: Component): void {
  const uid = vevent.getFirstPropertyValue('uid');
  const where = `VEVENT${typeof uid === 'string' ? ` ${uid}` : ''}`;
  const dtstart = vevent.getFirstProperty('dtstart');
  if (!dtstart) throw new Error(`invalid iCalendar data: ${where} has no DTSTART`);
  for (const name of ['dtstart', 'dtend', 'recurrence-id']) {
    for (const property of vevent.getAllProperties(name)) {
      const raw: unknown = property.jCal[3];
      const ok = typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z?)?$/.test(raw);
      if (!ok) throw new Error(`invalid iCalendar data: ${where} has a malformed ${name.toUpperCase()}`);
    }
  }
}

function isCancelled(vevent: Component): boolean {
  const status = vevent.getFirstPropertyValue('status');
  return typeof status === 'string' && status.toUpperCase() === 'CANCELLED';
}

function epochDay(time: Time): number {
  // Date.UTC normalizes overflowing fields (ical.js may leave day = 32 after adding a day).
  return Math.floor(Date.UTC(time.year, time.month - 1, time.day) / DAY_MS);
}

function parseDate(value: unknown, field: string): number {
  const m = typeof value === 'string' ? LOCAL_DATE.exec(value) : null;
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (!m || d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    throw new Error(`${field}: ${JSON.stringify(value)} is not a date 'YYYY-MM-DD'`);
  }
  return Math.floor(d.getTime() / DAY_MS);
}

function formatDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
