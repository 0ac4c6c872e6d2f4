import { DateTime } from 'luxon';
import {
  ALWAYS_OPEN,
  type BusinessCalendarSpec,
  type Weekday,
  WEEKDAYS,
  addBusinessMinutes,
  businessMinutesBetween,
  formatPromise,
  isOpenAt,
  nextOpening,
  validateCalendar,
} from './business-time';

type Hours = Array<[string, string]>;

function calendar(
  timeZone: string,
  hours: Partial<Record<Weekday, Hours>>,
  holidays: string[] = [],
): BusinessCalendarSpec {
  const weeklyHours = Object.fromEntries(WEEKDAYS.map((d) => [d, hours[d] ?? []])) as Record<Weekday, Hours>;
  return { timeZone, weeklyHours, holidays };
}

function weekdays(hours: Hours): Partial<Record<Weekday, Hours>> {
  return { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours };
}

function everyDay(hours: Hours): Record<Weekday, Hours> {
  return { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours };
}

/** A local wall-clock time in a zone; throws on a time that does not exist (tests must be explicit). */
function at(local: string, zone: string): Date {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid || dt.toFormat("yyyy-MM-dd'T'HH:mm") !== local)
    throw new Error(`no such local time ${local} in ${zone}`);
  return dt.toJSDate();
}

/** Local time with its UTC offset, so a DST assertion cannot pass on the wrong side of a change. */
function show(d: Date, zone: string): string {
  return DateTime.fromJSDate(d, { zone }).toFormat('yyyy-MM-dd HH:mm ZZ');
}

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

const office = calendar(BERLIN, weekdays([['09:00', '17:00']]), ['2026-05-01', '2026-12-25', '2026-12-26']);
const split = calendar(
  BERLIN,
  weekdays([
    ['09:00', '12:00'],
    ['13:00', '17:00'],
  ]),
  ['2026-05-01'],
);
const nightDesk = (zone: string) =>
  calendar(
    zone,
    everyDay([
      ['00:00', '06:00'],
      ['22:00', '24:00'],
    ]),
  );
const sundayEarly = (zone: string) => calendar(zone, { sun: [['01:00', '04:00']] });

describe('addBusinessMinutes', () => {
  const add = (local: string, minutes: number, cal = office, zone = BERLIN) =>
    show(addBusinessMinutes(at(local, zone), minutes, cal), zone);

  it('finds a deadline inside one day', () => {
    expect(add('2026-03-10T10:00', 120)).toBe('2026-03-10 12:00 +01:00');
  });

  it('stops at closing time when the minutes run out exactly then', () => {
    expect(add('2026-03-10T16:00', 60)).toBe('2026-03-10 17:00 +01:00');
  });

  it('spills over the night', () => {
    expect(add('2026-03-10T16:00', 120)).toBe('2026-03-11 10:00 +01:00');
    expect(add('2026-03-10T16:59', 2)).toBe('2026-03-11 09:01 +01:00');
  });

  it('skips the weekend', () => {
    expect(add('2026-03-13T16:00', 120)).toBe('2026-03-16 10:00 +01:00');
  });

  it('skips holidays', () => {
    // Thursday 30 April, Friday 1 May is closed
    expect(add('2026-04-30T16:00', 120)).toBe('2026-05-04 10:00 +02:00');
    // Christmas Eve (Thursday): 25 (Friday) and 26 (Saturday) closed, then Sunday
    expect(add('2026-12-24T16:00', 120)).toBe('2026-12-28 10:00 +01:00');
  });

  it('walks a split shift over lunch', () => {
    expect(add('2026-03-10T11:00', 120, split)).toBe('2026-03-10 14:00 +01:00');
    expect(add('2026-03-10T11:00', 60, split)).toBe('2026-03-10 12:00 +01:00');
    expect(add('2026-03-10T11:00', 61, split)).toBe('2026-03-10 13:01 +01:00');
    // 7 business hours per day
    expect(add('2026-03-10T09:00', 7 * 60 + 30, split)).toBe('2026-03-11 09:30 +01:00');
  });

  it('starts counting at the next opening when started outside hours', () => {
    expect(add('2026-03-10T07:00', 30, split)).toBe('2026-03-10 09:30 +01:00'); // before opening
    expect(add('2026-03-10T12:30', 30, split)).toBe('2026-03-10 13:30 +01:00'); // during lunch
    expect(add('2026-03-10T18:00', 30, split)).toBe('2026-03-11 09:30 +01:00'); // after closing
    expect(add('2026-03-10T17:00', 30, split)).toBe('2026-03-11 09:30 +01:00'); // at closing (ranges are half-open)
    expect(add('2026-05-01T10:00', 30, split)).toBe('2026-05-04 09:30 +02:00'); // on a holiday (a Friday)
    expect(add('2026-03-14T10:00', 30, split)).toBe('2026-03-16 09:30 +01:00'); // on a Saturday
  });

  it('returns the next open instant for zero minutes', () => {
    expect(add('2026-03-10T10:17', 0)).toBe('2026-03-10 10:17 +01:00');
    expect(add('2026-03-10T17:00', 0)).toBe('2026-03-11 09:00 +01:00');
    expect(add('2026-03-10T12:00', 0, split)).toBe('2026-03-10 13:00 +01:00');
    expect(add('2026-04-30T20:00', 0)).toBe('2026-05-04 09:00 +02:00');
  });

  it('keeps seconds of the start and accepts fractional minutes', () => {
    const start = new Date('2026-03-10T09:00:30.000Z'); // 10:00:30 in Berlin
    expect(addBusinessMinutes(start, 1.5, office).toISOString()).toBe('2026-03-10T09:02:00.000Z');
  });

  it('treats a 24/7 calendar as plain elapsed time', () => {
    const start = new Date('2026-03-28T23:59:00.000Z');
    expect(addBusinessMinutes(start, 0, ALWAYS_OPEN).toISOString()).toBe('2026-03-28T23:59:00.000Z');
    expect(addBusinessMinutes(start, 90, ALWAYS_OPEN).toISOString()).toBe('2026-03-29T01:29:00.000Z');
    expect(addBusinessMinutes(start, 400 * 1440, ALWAYS_OPEN).toISOString()).toBe('2027-05-02T23:59:00.000Z');
    expect(isOpenAt(new Date('2026-12-25T00:00:00Z'), ALWAYS_OPEN)).toBe(true);
  });

  it('is a frozen ALWAYS_OPEN calendar', () => {
    expect(Object.isFrozen(ALWAYS_OPEN.weeklyHours.mon)).toBe(true);
    expect(() => validateCalendar(ALWAYS_OPEN)).not.toThrow();
  });

  it('rejects negative or non-finite minutes and invalid dates', () => {
    expect(() => addBusinessMinutes(at('2026-03-10T10:00', BERLIN), -1, office)).toThrow(/minutes/);
    expect(() => addBusinessMinutes(at('2026-03-10T10:00', BERLIN), Number.NaN, office)).toThrow(/minutes/);
    expect(() => addBusinessMinutes(new Date('nope'), 1, office)).toThrow(/start/);
  });

  it('throws for a calendar that is never open', () => {
    const closed = calendar(BERLIN, {});
    expect(() => addBusinessMinutes(at('2026-03-10T10:00', BERLIN), 10, closed)).toThrow(/never open/);
    expect(
      businessMinutesBetween(at('2026-03-10T10:00', BERLIN), at('2027-03-10T10:00', BERLIN), closed),
    ).toBe(0);
  });

  it('gives up after about three years without an open minute', () => {
    // Open only on Mondays, and every Monday of 2026-2030 is a holiday.
    const mondays: string[] = [];
    for (let d = DateTime.fromISO('2026-01-05', { zone: 'UTC' }); d.year < 2031; d = d.plus({ weeks: 1 })) {
      mondays.push(d.toISODate()!);
    }
    const cal = calendar(BERLIN, { mon: [['09:00', '17:00']] }, mondays);
    expect(() => addBusinessMinutes(at('2026-01-01T00:00', BERLIN), 1, cal)).toThrow(
      /no open time within 1098 days/,
    );
    // a start close enough to the end of the closure still finds the first Monday of 2031
    expect(show(addBusinessMinutes(at('2029-01-01T00:00', BERLIN), 1, cal), BERLIN)).toBe(
      '2031-01-06 09:01 +01:00',
    );
  });

  it('handles long spans quickly', () => {
    const start = at('2026-01-02T10:00', BERLIN);
    const twoYears = 2 * 52 * 5 * 8 * 60; // 2 years of 40-hour weeks
    const t0 = Date.now();
    const deadline = addBusinessMinutes(start, twoYears, office);
    const between = businessMinutesBetween(start, deadline, office);
    expect(Date.now() - t0).toBeLessThan(500);
    expect(between).toBe(twoYears);
    // 520 working days of 8 hours; the two weekday holidays (1 May, 25 Dec 2026) push it to a Tuesday
    expect(show(deadline, BERLIN)).toBe('2028-01-04 10:00 +01:00');
  });
});

describe('daylight-saving changes', () => {
  describe.each([
    // fall61: 61 minutes after a 01:00 opening; Berlin repeats 02:00-03:00, New York 01:00-02:00
    {
      zone: BERLIN,
      spring: '2026-03-29',
      fall: '2026-10-25',
      std: '+01:00',
      dst: '+02:00',
      fall61: '2026-10-25 02:01 +02:00',
    },
    {
      zone: NEW_YORK,
      spring: '2026-03-08',
      fall: '2026-11-01',
      std: '-05:00',
      dst: '-04:00',
      fall61: '2026-11-01 01:01 -05:00',
    },
  ])('$zone', ({ zone, spring, fall, std, dst, fall61 }) => {
    const dayBefore = (date: string) =>
      DateTime.fromISO(date, { zone: 'UTC' }).minus({ days: 1 }).toISODate()!;

    it('a 01:00-04:00 range is 2 real hours on the spring-forward night and 4 on the fall-back night', () => {
      const cal = sundayEarly(zone);
      expect(businessMinutesBetween(at(`${spring}T00:00`, zone), at(`${spring}T12:00`, zone), cal)).toBe(120);
      expect(businessMinutesBetween(at(`${fall}T00:00`, zone), at(`${fall}T12:00`, zone), cal)).toBe(240);
      // an ordinary Sunday in between
      expect(businessMinutesBetween(at('2026-06-07T00:00', zone), at('2026-06-07T12:00', zone), cal)).toBe(
        180,
      );

      expect(show(addBusinessMinutes(at(`${spring}T00:00`, zone), 119, cal), zone)).toBe(
        `${spring} 03:59 ${dst}`,
      );
      expect(show(addBusinessMinutes(at(`${spring}T00:00`, zone), 61, cal), zone)).toBe(
        `${spring} 03:01 ${dst}`,
      );
      // fall-back: every business minute is a real minute after the 01:00 opening (one hour after midnight)
      const midnight = at(`${fall}T00:00`, zone);
      for (const m of [1, 61, 119, 121, 150, 239]) {
        expect(addBusinessMinutes(midnight, m, cal).getTime() - midnight.getTime()).toBe((60 + m) * 60_000);
      }
      expect(show(addBusinessMinutes(midnight, 61, cal), zone)).toBe(fall61);
      expect(show(addBusinessMinutes(midnight, 150, cal), zone)).toBe(`${fall} 02:30 ${std}`);
      expect(show(addBusinessMinutes(midnight, 240, cal), zone)).toBe(`${fall} 04:00 ${std}`);
    });

    it('counts real minutes for a night desk across the change', () => {
      const cal = nightDesk(zone);
      const springEve = `${dayBefore(spring)}T22:00`;
      const fallEve = `${dayBefore(fall)}T22:00`;
      // 22:00 -> 06:00 is 7 real hours when the clocks jump forward ...
      expect(show(addBusinessMinutes(at(springEve, zone), 7 * 60, cal), zone)).toBe(`${spring} 06:00 ${dst}`);
      expect(show(addBusinessMinutes(at(springEve, zone), 7 * 60 + 1, cal), zone)).toBe(
        `${spring} 22:01 ${dst}`,
      );
      expect(businessMinutesBetween(at(springEve, zone), at(`${spring}T12:00`, zone), cal)).toBe(7 * 60);
      // ... and 9 real hours when they go back
      expect(show(addBusinessMinutes(at(fallEve, zone), 9 * 60, cal), zone)).toBe(`${fall} 06:00 ${std}`);
      expect(show(addBusinessMinutes(at(fallEve, zone), 8 * 60, cal), zone)).toBe(`${fall} 05:00 ${std}`);
      expect(businessMinutesBetween(at(fallEve, zone), at(`${fall}T12:00`, zone), cal)).toBe(9 * 60);
    });

    it('keeps office hours on the wall clock across the weekend of the change', () => {
      const cal = calendar(zone, weekdays([['09:00', '17:00']]));
      const fridayBefore = (date: string) =>
        DateTime.fromISO(date, { zone: 'UTC' }).minus({ days: 2 }).toISODate()!;
      const monday = (date: string) => DateTime.fromISO(date, { zone: 'UTC' }).plus({ days: 1 }).toISODate()!;
      expect(show(addBusinessMinutes(at(`${fridayBefore(spring)}T16:00`, zone), 120, cal), zone)).toBe(
        `${monday(spring)} 10:00 ${dst}`,
      );
      expect(show(addBusinessMinutes(at(`${fridayBefore(fall)}T16:00`, zone), 120, cal), zone)).toBe(
        `${monday(fall)} 10:00 ${std}`,
      );
    });

    it('never opens a range that lies inside the skipped hour, and opens a repeated hour twice', () => {
      const cal = calendar(zone, { sun: [['02:00', '03:00']] });
      // spring forward: 02:00-03:00 does not exist, the next opening is a week later
      const saturday = at(`${dayBefore(spring)}T12:00`, zone);
      const weekLater = DateTime.fromISO(spring, { zone: 'UTC' }).plus({ weeks: 1 }).toISODate()!;
      expect(show(nextOpening(saturday, cal), zone)).toBe(`${weekLater} 02:00 ${dst}`);
      // fall back: 02:00-03:00 (Berlin) / 01:00-02:00 is lived twice
      const twice = calendar(zone, { sun: [zone === BERLIN ? ['02:00', '03:00'] : ['01:00', '02:00']] });
      expect(businessMinutesBetween(at(`${fall}T00:00`, zone), at(`${fall}T12:00`, zone), twice)).toBe(120);
    });
  });

  it('is open during both passes of the repeated hour (Berlin, 2026-10-25)', () => {
    const cal = calendar(BERLIN, { sun: [['02:00', '02:30']] });
    expect(isOpenAt(new Date('2026-10-25T00:15:00Z'), cal)).toBe(true); // 02:15 +02:00
    expect(isOpenAt(new Date('2026-10-25T00:45:00Z'), cal)).toBe(false); // 02:45 +02:00
    expect(isOpenAt(new Date('2026-10-25T01:15:00Z'), cal)).toBe(true); // 02:15 +01:00
    expect(
      businessMinutesBetween(new Date('2026-10-24T00:00:00Z'), new Date('2026-10-26T00:00:00Z'), cal),
    ).toBe(60);
    expect(addBusinessMinutes(new Date('2026-10-24T00:00:00Z'), 45, cal).toISOString()).toBe(
      '2026-10-25T01:15:00.000Z',
    );
  });
});

describe('businessMinutesBetween', () => {
  it('counts business minutes in [a, b)', () => {
    expect(
      businessMinutesBetween(at('2026-03-10T10:00', BERLIN), at('2026-03-11T10:00', BERLIN), office),
    ).toBe(480);
    expect(
      businessMinutesBetween(at('2026-03-10T11:00', BERLIN), at('2026-03-10T14:00', BERLIN), split),
    ).toBe(120);
    expect(
      businessMinutesBetween(at('2026-03-13T16:00', BERLIN), at('2026-03-16T10:00', BERLIN), office),
    ).toBe(120);
    expect(
      businessMinutesBetween(at('2026-03-14T00:00', BERLIN), at('2026-03-15T23:59', BERLIN), office),
    ).toBe(0);
    expect(
      businessMinutesBetween(at('2026-04-30T00:00', BERLIN), at('2026-05-02T00:00', BERLIN), office),
    ).toBe(480);
  });

  it('returns fractional minutes and 0 for an empty or reversed span', () => {
    expect(
      businessMinutesBetween(new Date('2026-03-10T09:00:00Z'), new Date('2026-03-10T09:00:30Z'), office),
    ).toBe(0.5);
    const a = at('2026-03-10T10:00', BERLIN);
    expect(businessMinutesBetween(a, a, office)).toBe(0);
    expect(businessMinutesBetween(a, at('2026-03-10T09:00', BERLIN), office)).toBe(0);
  });

  describe('agrees with addBusinessMinutes (seeded pseudo-random cases)', () => {
    const cases: Array<[string, BusinessCalendarSpec]> = [
      ['office Berlin', office],
      ['split Berlin', split],
      ['night desk New York', nightDesk(NEW_YORK)],
      ['sundays 01-04 New York', sundayEarly(NEW_YORK)],
      ['24/7', ALWAYS_OPEN],
      [
        'Sydney (southern DST) with a holiday',
        calendar(
          'Australia/Sydney',
          weekdays([
            ['08:30', '12:00'],
            ['12:45', '18:15'],
          ]),
          ['2026-04-06'],
        ),
      ],
      [
        'Lord Howe (30-minute DST) night',
        calendar(
          'Australia/Lord_Howe',
          everyDay([
            ['01:00', '03:00'],
            ['20:00', '24:00'],
          ]),
        ),
      ],
    ];
    // Starts spread over 2026 and biased towards the DST weeks, durations up to ~2 weeks of hours.
    const hotSpots = ['2026-03-07', '2026-03-28', '2026-04-04', '2026-10-03', '2026-10-24', '2026-10-31'].map(
      (d) => Date.parse(`${d}T00:00:00Z`),
    );

    it.each(cases)('%s', (_name, cal) => {
      const random = mulberry32(0xdec0de);
      const yearStart = Date.parse('2026-01-01T00:00:00Z');
      for (let i = 0; i < 300; i++) {
        const base =
          random() < 0.5 ? pick(hotSpots, random) : yearStart + Math.floor(random() * 365 * 86_400_000);
        const start = new Date(
          base + Math.floor(random() * 3 * 86_400_000) + (random() < 0.3 ? Math.floor(random() * 60_000) : 0),
        );
        const minutes = Math.floor(random() * 5000);
        const deadline = addBusinessMinutes(start, minutes, cal);

        expect(deadline.getTime()).toBeGreaterThanOrEqual(start.getTime());
        expect(businessMinutesBetween(start, deadline, cal)).toBe(minutes);
        expect(isOpenAt(deadline, cal) || minutes > 0).toBe(true); // zero minutes lands on an open instant
        expect(addBusinessMinutes(start, minutes + 1, cal).getTime()).toBeGreaterThan(deadline.getTime());

        // and the other way round: from a span to a deadline
        const end = new Date(start.getTime() + Math.floor(random() * 10 * 86_400_000));
        const elapsed = businessMinutesBetween(start, end, cal);
        const back = addBusinessMinutes(start, elapsed, cal);
        expect(businessMinutesBetween(start, back, cal)).toBeCloseTo(elapsed, 9);
        if (isOpenAt(new Date(end.getTime() - 1), cal)) expect(back.getTime()).toBe(end.getTime());
        else
          expect(back.getTime()).toBeLessThanOrEqual(
            Math.max(end.getTime(), nextOpening(start, cal).getTime()),
          );
      }
    });
  });

  it('matches a minute-by-minute count done with luxon wall-clock times (DST weekends)', () => {
    // Oracle: an independent, slow definition of "open" per minute, using luxon's local fields.
    const cals = [
      nightDesk(BERLIN),
      sundayEarly(NEW_YORK),
      split,
      calendar(NEW_YORK, { sun: [['01:00', '02:00']], sat: [['23:30', '24:00']] }),
    ];
    const random = mulberry32(42);
    const openByLuxon = (t: number, cal: BusinessCalendarSpec) => {
      const local = DateTime.fromMillis(t, { zone: cal.timeZone });
      if (cal.holidays.includes(local.toISODate()!)) return false;
      const minute = local.hour * 60 + local.minute;
      const ranges = cal.weeklyHours[WEEKDAYS[local.weekday - 1]!];
      return ranges.some(([s, e]) => toMinutes(s) <= minute && minute < toMinutes(e));
    };
    const windows = [
      '2026-03-28T12:00:00Z',
      '2026-10-24T12:00:00Z',
      '2026-03-07T12:00:00Z',
      '2026-10-31T12:00:00Z',
    ];
    for (let i = 0; i < 40; i++) {
      const cal = pick(cals, random);
      const a = Date.parse(pick(windows, random)) + Math.floor(random() * 24 * 60) * 60_000;
      const b = a + Math.floor(random() * 36 * 60) * 60_000;
      let expected = 0;
      for (let t = a; t < b; t += 60_000) if (openByLuxon(t, cal)) expected++;
      expect(businessMinutesBetween(new Date(a), new Date(b), cal)).toBe(expected);
    }
  });
});

describe('isOpenAt and nextOpening', () => {
  it('answers for the calendar zone, with half-open ranges', () => {
    expect(isOpenAt(at('2026-03-10T09:00', BERLIN), office)).toBe(true);
    expect(isOpenAt(at('2026-03-10T16:59', BERLIN), office)).toBe(true);
    expect(isOpenAt(at('2026-03-10T17:00', BERLIN), office)).toBe(false);
    expect(isOpenAt(at('2026-03-10T08:59', BERLIN), office)).toBe(false);
    expect(isOpenAt(at('2026-03-10T12:30', BERLIN), split)).toBe(false);
    expect(isOpenAt(at('2026-05-01T10:00', BERLIN), office)).toBe(false);
    expect(isOpenAt(at('2026-03-14T10:00', BERLIN), office)).toBe(false);
    // 08:30 UTC is 09:30 in Berlin but 04:30 in New York
    expect(isOpenAt(new Date('2026-03-10T08:30:00Z'), office)).toBe(true);
    expect(
      isOpenAt(new Date('2026-03-10T08:30:00Z'), calendar(NEW_YORK, weekdays([['09:00', '17:00']]))),
    ).toBe(false);
  });

  it('joins a night shift across midnight', () => {
    const cal = nightDesk(BERLIN);
    expect(isOpenAt(at('2026-06-10T23:59', BERLIN), cal)).toBe(true);
    expect(isOpenAt(at('2026-06-11T00:00', BERLIN), cal)).toBe(true);
    expect(addBusinessMinutes(at('2026-06-10T23:30', BERLIN), 60, cal).getTime()).toBe(
      at('2026-06-11T00:30', BERLIN).getTime(),
    );
  });

  it('finds the next opening', () => {
    expect(show(nextOpening(at('2026-03-10T10:00', BERLIN), office), BERLIN)).toBe('2026-03-10 10:00 +01:00');
    expect(show(nextOpening(at('2026-03-10T12:15', BERLIN), split), BERLIN)).toBe('2026-03-10 13:00 +01:00');
    expect(show(nextOpening(at('2026-03-13T17:00', BERLIN), office), BERLIN)).toBe('2026-03-16 09:00 +01:00');
    expect(show(nextOpening(at('2026-12-24T17:30', BERLIN), office), BERLIN)).toBe('2026-12-28 09:00 +01:00');
  });
});

describe('formatPromise', () => {
  const now = at('2026-03-10T08:00', BERLIN); // a Tuesday

  it('says today / tomorrow / a weekday / a date relative to now, in the calendar zone', () => {
    expect(formatPromise(at('2026-03-10T15:30', BERLIN), office, 'en', now)).toBe('today 15:30');
    expect(formatPromise(at('2026-03-11T09:00', BERLIN), office, 'en', now)).toBe('tomorrow 09:00');
    expect(formatPromise(at('2026-03-13T10:00', BERLIN), office, 'en', now)).toBe('Friday 10:00');
    expect(formatPromise(at('2026-03-24T10:00', BERLIN), office, 'en', now)).toBe('Tuesday, March 24 10:00');
    // 23:30 UTC on the 10th is already the 11th in Berlin
    expect(formatPromise(new Date('2026-03-10T23:30:00Z'), office, 'en', now)).toBe('tomorrow 00:30');
  });

  it('uses the locale for words and a 24-hour clock', () => {
    expect(formatPromise(at('2026-03-11T09:00', BERLIN), office, 'de', now)).toBe('morgen 09:00');
    expect(formatPromise(at('2026-03-13T14:00', BERLIN), office, 'de', now)).toBe('Freitag 14:00');
  });

  it('gives the weekday and time without now', () => {
    expect(formatPromise(at('2026-03-17T10:00', BERLIN), office)).toBe('Tuesday 10:00');
    expect(
      formatPromise(new Date('2026-03-17T15:00:00Z'), calendar(NEW_YORK, weekdays([['09:00', '17:00']]))),
    ).toBe('Tuesday 11:00');
  });
});

describe('validateCalendar', () => {
  const valid = (): BusinessCalendarSpec =>
    calendar(
      BERLIN,
      {
        ...weekdays([
          ['09:00', '12:00'],
          ['13:00', '17:00'],
        ]),
        sat: [['10:00', '24:00']],
      },
      ['2026-12-25'],
    );

  it('returns a valid calendar unchanged', () => {
    const spec = valid();
    expect(validateCalendar(spec)).toBe(spec);
  });

  it.each<[string, (spec: BusinessCalendarSpec) => void, RegExp]>([
    [
      'an unknown zone',
      (s) => (s.timeZone = 'Mars/Olympus_Mons'),
      /^timeZone: "Mars\/Olympus_Mons" is not a known IANA time zone/,
    ],
    [
      'a malformed time',
      (s) => (s.weeklyHours.tue = [['9:00', '17:00']]),
      /^weeklyHours\.tue\[0\]\[0\]: "9:00" is not a time/,
    ],
    ['an hour past 23', (s) => (s.weeklyHours.wed = [['09:00', '25:00']]), /^weeklyHours\.wed\[0\]\[1\]/],
    ['24:00 as a start', (s) => (s.weeklyHours.thu = [['24:00', '24:00']]), /^weeklyHours\.thu\[0\]\[0\]/],
    [
      'an inverted range',
      (s) => (s.weeklyHours.fri = [['17:00', '09:00']]),
      /^weeklyHours\.fri\[0\]: range 17:00-09:00 is empty or inverted/,
    ],
    ['an empty range', (s) => (s.weeklyHours.fri = [['09:00', '09:00']]), /^weeklyHours\.fri\[0\]/],
    [
      'overlapping ranges',
      (s) =>
        (s.weeklyHours.mon = [
          ['13:00', '17:00'],
          ['09:00', '13:30'],
        ]),
      /^weeklyHours\.mon: ranges 09:00-13:30 and 13:00-17:00 overlap/,
    ],
    [
      'a missing weekday',
      (s) => delete (s.weeklyHours as Partial<Record<Weekday, Hours>>).sun,
      /^weeklyHours\.sun: expected an array/,
    ],
    [
      'an unknown weekday',
      (s) => ((s.weeklyHours as Record<string, Hours>).monday = []),
      /^weeklyHours\.monday: unknown weekday/,
    ],
    [
      'a range that is not a pair',
      (s) => (s.weeklyHours.mon = [['09:00'] as unknown as [string, string]]),
      /^weeklyHours\.mon\[0\]: expected a pair/,
    ],
    [
      'an impossible date',
      (s) => (s.holidays = ['2026-12-25', '2026-02-30']),
      /^holidays\[1\]: "2026-02-30" is not a date/,
    ],
    ['a sloppy date', (s) => (s.holidays = ['2026-1-01']), /^holidays\[0\]/],
    [
      'holidays not an array',
      (s) => ((s as { holidays: unknown }).holidays = '2026-12-25'),
      /^holidays: expected an array/,
    ],
  ])('names the field for %s', (_name, breakIt, message) => {
    const spec = valid();
    breakIt(spec);
    expect(() => validateCalendar(spec)).toThrow(message);
  });

  it('accepts touching ranges and split shifts given in any order', () => {
    const spec = calendar(BERLIN, {
      mon: [
        ['13:00', '17:00'],
        ['09:00', '13:00'],
      ],
    });
    expect(validateCalendar(spec)).toBe(spec);
    expect(businessMinutesBetween(at('2026-03-09T00:00', BERLIN), at('2026-03-10T00:00', BERLIN), spec)).toBe(
      480,
    );
  });

  it('is applied by every function', () => {
    const bad = { ...valid(), timeZone: 'Nowhere/Land' };
    expect(() => addBusinessMinutes(new Date(), 1, bad)).toThrow(/timeZone/);
    expect(() => businessMinutesBetween(new Date(0), new Date(1), bad)).toThrow(/timeZone/);
    expect(() => isOpenAt(new Date(), bad)).toThrow(/timeZone/);
    expect(() => formatPromise(new Date(), bad)).toThrow(/timeZone/);
  });
});

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function pick<T>(items: readonly T[], random: () => number): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Small deterministic PRNG so a failing case can be reproduced from the seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
