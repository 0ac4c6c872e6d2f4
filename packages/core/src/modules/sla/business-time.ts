/**
 * Business time: SLA deadlines and elapsed business minutes from a business calendar
 * (IANA zone, weekly local hours, closed local dates). Pure code: no I/O, no clock, no NestJS.
 *
 * Semantics, so every function agrees with every other:
 * - An instant is OPEN when its local wall-clock date is not a holiday and its local wall-clock
 *   time lies in one of that weekday's half-open ranges [start, end). Everything is derived from
 *   this rule, including daylight-saving changes: a range 01:00-04:00 lasts 2 real hours on a
 *   spring-forward night (02:00-03:00 never happens), 4 real hours on a fall-back night (02:00-03:00
 *   happens twice), and a range wholly inside a skipped hour is empty that day.
 * - A night shift is two ranges on two days, ['22:00','24:00'] and ['00:00','06:00']; they join
 *   seamlessly at midnight.
 * - Durations are real elapsed time (milliseconds of the instants), never wall-clock differences.
 *   Minutes are numbers and may be fractional; inputs are rounded to the millisecond.
 *
 * How it walks: time is cut into pieces of constant UTC offset (at most one day long, so a
 * transition is found by comparing offsets one day apart and bisecting), each piece maps linearly
 * onto wall-clock time, and the open ranges of the local dates it covers are mapped back. A closed
 * day costs one offset lookup; nothing walks minute by minute.
 */
import { DateTime, IANAZone } from 'luxon';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Monday first, the order used by `weeklyHours` and by ISO weekday numbers 1..7. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface BusinessCalendarSpec {
  /** IANA zone, e.g. 'Europe/Berlin'. */
  timeZone: string;
  /** Local 'HH:mm' ranges [start, end) per weekday, several per day allowed; '24:00' only as an end. */
  weeklyHours: Record<Weekday, Array<[string, string]>>;
  /** Local dates 'YYYY-MM-DD' closed all day. */
  holidays: string[];
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** How far past the last open time the search for the next one goes before giving up. */
export const MAX_SEARCH_DAYS = 3 * 366;
const MAX_SEARCH_MS = MAX_SEARCH_DAYS * DAY_MS;

const ALL_DAY: Array<[string, string]> = [['00:00', '24:00']];

/** Open every minute of every day, in UTC: deadlines become plain wall-clock arithmetic. */
export const ALWAYS_OPEN: BusinessCalendarSpec = deepFreeze({
  timeZone: 'UTC',
  weeklyHours: {
    mon: ALL_DAY,
    tue: ALL_DAY,
    wed: ALL_DAY,
    thu: ALL_DAY,
    fri: ALL_DAY,
    sat: ALL_DAY,
    sun: ALL_DAY,
  },
  holidays: [],
});

/** A calendar checked and turned into numbers: ranges in ms from local midnight, dates as epoch days. */
interface CompiledCalendar {
  readonly zone: IANAZone;
  /** Index 0 = Monday .. 6 = Sunday; sorted, non-overlapping [startMs, endMs). */
  readonly week: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
  /** Closed local dates as days since 1970-01-01. */
  readonly holidays: ReadonlySet<number>;
  readonly everOpen: boolean;
}

/** An absolute [from, to) interval in epoch milliseconds. */
type Interval = readonly [number, number];

const START_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const END_TIME = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Checks a calendar and returns it unchanged. Throws an Error whose message starts with the
 * offending field (`timeZone`, `weeklyHours.tue[1][0]`, `holidays[3]`, ...).
 */
export function validateCalendar(spec: BusinessCalendarSpec): BusinessCalendarSpec {
  compileCalendar(spec);
  return spec;
}

/**
 * The deadline `minutes` business minutes after `start`. Counting begins at the next opening when
 * `start` is closed; `minutes = 0` gives the next open instant at or after `start`. A deadline that
 * lands exactly on a closing time is that closing time (16:00 + 60 min with 17:00 closing = 17:00).
 * Throws when the calendar has no open time within MAX_SEARCH_DAYS of the search position.
 */
export function addBusinessMinutes(start: Date, minutes: number, cal: BusinessCalendarSpec): Date {
  const compiled = compileCalendar(cal);
  const from = instantMs(start, 'start');
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`minutes: expected a finite number >= 0, got ${String(minutes)}`);
  }
  let remaining = Math.round(minutes * MINUTE_MS);
  for (const [lo, hi] of openIntervals(compiled, from, Infinity)) {
    const length = hi - lo;
    if (remaining <= length) return new Date(lo + remaining);
    remaining -= length;
  }
  // openIntervals with no end either yields forever or throws.
  throw new Error('unreachable: open intervals ended without an end bound');
}

/**
 * Business minutes elapsed in [a, b), exact to the millisecond: the result is a number of minutes
 * that may be fractional (30 s = 0.5). Returns 0 when b <= a. Round-trips addBusinessMinutes:
 * businessMinutesBetween(s, addBusinessMinutes(s, m, cal), cal) === m.
 */
export function businessMinutesBetween(a: Date, b: Date, cal: BusinessCalendarSpec): number {
  const compiled = compileCalendar(cal);
  const from = instantMs(a, 'a');
  const to = instantMs(b, 'b');
  if (to <= from || !compiled.everOpen) return 0;
  let total = 0;
  for (const [lo, hi] of openIntervals(compiled, from, to)) total += hi - lo;
  return total / MINUTE_MS;
}

/** Whether the calendar is open at this instant (ranges are half-open: closed at 17:00 sharp). */
export function isOpenAt(instant: Date, cal: BusinessCalendarSpec): boolean {
  const compiled = compileCalendar(cal);
  const t = instantMs(instant, 'instant');
  const wall = t + offsetMs(compiled.zone, t);
  const day = Math.floor(wall / DAY_MS);
  if (compiled.holidays.has(day)) return false;
  const msOfDay = wall - day * DAY_MS;
  return dayRanges(compiled, day).some(([s, e]) => s <= msOfDay && msOfDay < e);
}

/** The first open instant at or after `instant` (the instant itself when open). */
export function nextOpening(instant: Date, cal: BusinessCalendarSpec): Date {
  return addBusinessMinutes(instant, 0, cal);
}

/**
 * A deadline for people, in the calendar's zone, 24-hour time, weekday names in `locale`.
 * With `now`: 'today 15:30', 'tomorrow 09:00', 'Tuesday 10:00' within the coming week, and
 * 'Tuesday, July 14 10:00' further out or in the past. Without `now`: 'Tuesday 10:00'.
 * The day words come from Intl.RelativeTimeFormat, so 'de' gives 'heute' / 'morgen'.
 */
export function formatPromise(deadline: Date, cal: BusinessCalendarSpec, locale = 'en', now?: Date): string {
  compileCalendar(cal);
  const zone = cal.timeZone;
  const local = DateTime.fromMillis(instantMs(deadline, 'deadline'), { zone, locale });
  const time = local.toFormat('HH:mm');
  if (now === undefined) return `${local.toFormat('cccc')} ${time}`;
  const today = DateTime.fromMillis(instantMs(now, 'now'), { zone });
  const days = epochDay(local.year, local.month, local.day) - epochDay(today.year, today.month, today.day);
  if (days === 0 || days === 1) {
    const word = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(days, 'day');
    return `${word} ${time}`;
  }
  if (days > 1 && days < 7) return `${local.toFormat('cccc')} ${time}`;
  return `${local.toLocaleString({ weekday: 'long', month: 'long', day: 'numeric' })} ${time}`;
}

// ---------------------------------------------------------------------------------------------

/**
 * Open intervals at or after `from`, in time order, clipped to [from, until). Adjacent intervals
 * are not merged (consumers only sum lengths). With `until = Infinity` it throws once the walk is
 * MAX_SEARCH_MS past the last open time instead of running forever.
 */
function* openIntervals(
  cal: CompiledCalendar,
  from: number,
  until: number,
): Generator<Interval, void, undefined> {
  const bounded = Number.isFinite(until);
  if (!bounded && !cal.everOpen) {
    throw new Error('business calendar is never open: every weekday has no hours');
  }
  let lastOpen = from;
  let t = from;
  let offset = offsetMs(cal.zone, t);
  while (t < until) {
    if (!bounded && t - lastOpen > MAX_SEARCH_MS) {
      throw new Error(
        `business calendar has no open time within ${MAX_SEARCH_DAYS} days after ${new Date(lastOpen).toISOString()}`,
      );
    }
    // [t, pieceEnd) has one UTC offset. Assumes a zone never changes its offset twice within a
    // day, which holds for every transition in the tz database since standard time was adopted.
    const probe = Math.min(t + DAY_MS, until);
    const probeOffset = offsetMs(cal.zone, probe);
    const pieceEnd = probeOffset === offset ? probe : findTransition(cal.zone, t, probe, offset);
    const nextOffset = pieceEnd === probe ? probeOffset : offsetMs(cal.zone, pieceEnd);

    const wallStart = t + offset;
    const wallEnd = pieceEnd + offset;
    for (let day = Math.floor(wallStart / DAY_MS); day * DAY_MS < wallEnd; day++) {
      if (cal.holidays.has(day)) continue;
      const midnight = day * DAY_MS;
      for (const [s, e] of dayRanges(cal, day)) {
        const lo = Math.max(midnight + s, wallStart);
        const hi = Math.min(midnight + e, wallEnd);
        if (lo < hi) {
          lastOpen = hi - offset;
          yield [lo - offset, hi - offset];
        }
      }
    }
    t = pieceEnd;
    offset = nextOffset;
  }
}

/** The first instant in (lo, hi] whose offset differs from `offset` (which is lo's). */
function findTransition(zone: IANAZone, lo: number, hi: number, offset: number): number {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMs(zone, mid) === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}

function offsetMs(zone: IANAZone, t: number): number {
  return Math.round(zone.offset(t) * MINUTE_MS);
}

function dayRanges(cal: CompiledCalendar, day: number): ReadonlyArray<readonly [number, number]> {
  // 1970-01-01 (epoch day 0) was a Thursday, index 3 when Monday is 0.
  return cal.week[(((day + 3) % 7) + 7) % 7] ?? [];
}

function epochDay(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

function instantMs(d: Date, field: string): number {
  const t = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new RangeError(`${field}: expected a valid Date`);
  return t;
}

function compileCalendar(spec: BusinessCalendarSpec): CompiledCalendar {
  if (spec === null || typeof spec !== 'object') throw new Error('calendar: expected an object');

  const { timeZone, weeklyHours, holidays } = spec;
  if (typeof timeZone !== 'string' || !IANAZone.isValidZone(timeZone)) {
    throw new Error(`timeZone: ${JSON.stringify(timeZone)} is not a known IANA time zone`);
  }

  if (weeklyHours === null || typeof weeklyHours !== 'object' || Array.isArray(weeklyHours)) {
    throw new Error('weeklyHours: expected an object with keys mon..sun');
  }
  for (const key of Object.keys(weeklyHours)) {
    if (!(WEEKDAYS as readonly string[]).includes(key)) {
      throw new Error(`weeklyHours.${key}: unknown weekday, expected one of ${WEEKDAYS.join(', ')}`);
    }
  }
  const week = WEEKDAYS.map((weekday) => compileDay(weekday, weeklyHours[weekday]));

  if (!Array.isArray(holidays)) throw new Error("holidays: expected an array of local dates 'YYYY-MM-DD'");
  const closed = new Set<number>();
  holidays.forEach((date, i) => closed.add(parseLocalDate(date, `holidays[${i}]`)));

  return {
    zone: IANAZone.create(timeZone),
    week,
    holidays: closed,
    everOpen: week.some((ranges) => ranges.length > 0),
  };
}

function compileDay(weekday: Weekday, ranges: unknown): Array<readonly [number, number]> {
  const field = `weeklyHours.${weekday}`;
  if (!Array.isArray(ranges))
    throw new Error(`${field}: expected an array of ['HH:mm', 'HH:mm'] ranges ([] when closed)`);
  const compiled = ranges.map((range: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!Array.isArray(range) || range.length !== 2)
      throw new Error(`${at}: expected a pair ['HH:mm', 'HH:mm']`);
    const start = parseTime(range[0], START_TIME, `${at}[0]`);
    const end = parseTime(range[1], END_TIME, `${at}[1]`);
    if (end <= start) {
      throw new Error(
        `${at}: range ${String(range[0])}-${String(range[1])} is empty or inverted; ` +
          "split a night shift at midnight: ['22:00', '24:00'] and ['00:00', '06:00'] on the next day",
      );
    }
    return { start, end, text: `${String(range[0])}-${String(range[1])}` };
  });
  compiled.sort((x, y) => x.start - y.start);
  for (let i = 1; i < compiled.length; i++) {
    const prev = compiled[i - 1]!;
    const cur = compiled[i]!;
    if (cur.start < prev.end) throw new Error(`${field}: ranges ${prev.text} and ${cur.text} overlap`);
  }
  return compiled.map(({ start, end }) => [start * MINUTE_MS, end * MINUTE_MS] as const);
}

/** Minutes from midnight. */
function parseTime(value: unknown, pattern: RegExp, field: string): number {
  const m = typeof value === 'string' ? pattern.exec(value) : null;
  if (!m) {
    const hint = pattern === START_TIME ? "'HH:mm' from 00:00 to 23:59" : "'HH:mm' from 00:01 to 24:00";
    throw new Error(`${field}: ${JSON.stringify(value)} is not a time ${hint}`);
  }
  const hours = m[1] ?? m[3];
  const minutes = m[2] ?? m[4];
  return Number(hours) * 60 + Number(minutes);
}

/** Epoch day of a real calendar date 'YYYY-MM-DD'. */
function parseLocalDate(value: unknown, field: string): number {
  const m = typeof value === 'string' ? LOCAL_DATE.exec(value) : null;
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  if (!m || d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    throw new Error(`${field}: ${JSON.stringify(value)} is not a date 'YYYY-MM-DD'`);
  }
  return Math.floor(ms / DAY_MS);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
