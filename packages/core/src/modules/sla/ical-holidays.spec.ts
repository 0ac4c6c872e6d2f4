import { parseIcalHolidays } from './ical-holidays';

/** Builds an .ics text with CRLF line endings, as feeds are served. */
function ics(...lines: string[]): string {
  return [...lines, ''].join('\r\n');
}

function vcalendar(...events: string[][]): string {
  return ics(
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//desk//holiday test//EN',
    ...events.flat(),
    'END:VCALENDAR',
  );
}

function vevent(...props: string[]): string[] {
  return ['BEGIN:VEVENT', 'DTSTAMP:20260101T000000Z', ...props, 'END:VEVENT'];
}

const labourDay2026 = vevent(
  'UID:labour-2026',
  'DTSTART;VALUE=DATE:20260501',
  'DTEND;VALUE=DATE:20260502',
  'SUMMARY:Labour Day',
);
const christmas = vevent(
  'UID:christmas',
  'DTSTART;VALUE=DATE:20201225',
  'DTEND;VALUE=DATE:20201226',
  'RRULE:FREQ=YEARLY',
  'SUMMARY:Christmas',
);
const yearEnd = vevent(
  'UID:year-end',
  'DTSTART;VALUE=DATE:20261228',
  'DTEND;VALUE=DATE:20261231',
  'SUMMARY:Year-end closure',
);
const meeting = vevent(
  'UID:meeting',
  'DTSTART:20260310T090000Z',
  'DTEND:20260310T100000Z',
  'SUMMARY:Team meeting',
);

describe('parseIcalHolidays', () => {
  it('returns fixed, yearly and multi-day all-day events within the range, sorted', () => {
    const text = vcalendar(yearEnd, christmas, labourDay2026, meeting);
    expect(parseIcalHolidays(text, { from: '2026-01-01', to: '2027-12-31' })).toEqual([
      '2026-05-01',
      '2026-12-25',
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
      '2027-12-25',
    ]);
  });

  it('includes both ends of the range and clips events that straddle it', () => {
    const text = vcalendar(yearEnd, christmas);
    expect(parseIcalHolidays(text, { from: '2026-12-25', to: '2026-12-29' })).toEqual([
      '2026-12-25',
      '2026-12-28',
      '2026-12-29',
    ]);
    expect(parseIcalHolidays(text, { from: '2026-12-29', to: '2026-12-29' })).toEqual(['2026-12-29']);
    expect(parseIcalHolidays(text, { from: '2023-01-01', to: '2024-12-24' })).toEqual(['2023-12-25']);
  });

  it('expands yearly rules by weekday, with a count, and honours EXDATE and a moved occurrence', () => {
    const thanksgiving = vevent(
      'UID:thanksgiving',
      'DTSTART;VALUE=DATE:20221124',
      'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH',
      'SUMMARY:Thanksgiving',
    );
    const founders = vevent(
      'UID:founders',
      'DTSTART;VALUE=DATE:20250601',
      'RRULE:FREQ=YEARLY;COUNT=2',
      'EXDATE;VALUE=DATE:20250601',
      'SUMMARY:Founders day',
    );
    const boxing = vevent(
      'UID:boxing',
      'DTSTART;VALUE=DATE:20241226',
      'RRULE:FREQ=YEARLY',
      'SUMMARY:Boxing Day',
    );
    const boxingMoved = vevent(
      'UID:boxing',
      'RECURRENCE-ID;VALUE=DATE:20261226',
      'DTSTART;VALUE=DATE:20261228',
      'SUMMARY:Boxing Day (substitute)',
    );
    const text = vcalendar(thanksgiving, founders, boxing, boxingMoved);
    expect(parseIcalHolidays(text, { from: '2025-01-01', to: '2027-12-31' })).toEqual([
      '2025-11-27',
      '2025-12-26',
      '2026-06-01',
      '2026-11-26',
      '2026-12-28',
      '2027-11-25',
      '2027-12-26',
    ]);
  });

  it('treats an all-day event without DTEND as one day and skips cancelled ones', () => {
    const oneDay = vevent('UID:one', 'DTSTART;VALUE=DATE:20260803');
    const cancelled = vevent('UID:gone', 'DTSTART;VALUE=DATE:20260804', 'STATUS:CANCELLED');
    const twoDays = vevent('UID:two', 'DTSTART;VALUE=DATE:20260810', 'DURATION:P2D');
    expect(
      parseIcalHolidays(vcalendar(oneDay, cancelled, twoDays), { from: '2026-01-01', to: '2026-12-31' }),
    ).toEqual(['2026-08-03', '2026-08-10', '2026-08-11']);
  });

  it('returns nothing for a calendar without all-day events', () => {
    expect(parseIcalHolidays(vcalendar(meeting), { from: '2026-01-01', to: '2026-12-31' })).toEqual([]);
    expect(parseIcalHolidays(vcalendar(), { from: '2026-01-01', to: '2026-12-31' })).toEqual([]);
  });

  it.each([
    ['plain text', 'this is not a calendar'],
    ['an empty string', '   '],
    ['an unterminated calendar', ics('BEGIN:VCALENDAR', 'VERSION:2.0', ...labourDay2026)],
    ['a lone VEVENT', ics(...labourDay2026)],
    ['a malformed date', vcalendar(vevent('UID:bad', 'DTSTART;VALUE=DATE:2026051', 'SUMMARY:Typo'))],
    ['an event without DTSTART', vcalendar(vevent('UID:nostart', 'SUMMARY:Nothing'))],
  ])('rejects %s with a clear error', (_name, text) => {
    expect(() => parseIcalHolidays(text, { from: '2026-01-01', to: '2026-12-31' })).toThrow(
      /^invalid iCalendar data/,
    );
  });

  it('validates the range', () => {
    const text = vcalendar(labourDay2026);
    expect(() => parseIcalHolidays(text, { from: '2026-13-01', to: '2026-12-31' })).toThrow(/^from: /);
    expect(() => parseIcalHolidays(text, { from: '2026-12-31', to: '2026-01-01' })).toThrow(
      /^to: .* is before from/,
    );
  });
});
