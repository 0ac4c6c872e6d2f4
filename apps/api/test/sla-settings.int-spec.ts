import { startApi, type Harness } from './harness';

const weekdays = [['09:00', '12:00'], ['13:00', '17:00']];
const calendar = {
  name: 'Berlin office',
  timeZone: 'Europe/Berlin',
  weeklyHours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays, sat: [], sun: [] },
  holidays: ['2026-12-25'],
};
const ics = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//desk test//EN',
  'BEGIN:VEVENT',
  'UID:newyear@test',
  'DTSTART;VALUE=DATE:20270101',
  'DTEND;VALUE=DATE:20270102',
  'RRULE:FREQ=YEARLY',
  'SUMMARY:New Year',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:xmas@test',
  'DTSTART;VALUE=DATE:20261225',
  'DTEND;VALUE=DATE:20261227',
  'SUMMARY:Christmas',
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n');

describe('SLA settings API: calendars (entered or imported) and policies', () => {
  let h: Harness;
  let admin: string;
  let supervisor: string;
  beforeAll(async () => {
    h = await startApi();
    admin = await h.login(await h.f.agent({ role: 'admin' }));
    supervisor = await h.login(await h.f.agent({ role: 'supervisor' }));
  });
  afterAll(() => h.close());

  it('creates a calendar, imports iCalendar holidays into it, and a policy using it', async () => {
    const created = await h.http().post('/api/sla/calendars').set('Cookie', admin).send(calendar);
    expect(created.status).toBe(201);
    const imported = await h
      .http()
      .post(`/api/sla/calendars/${created.body.id}/holidays/import`)
      .set('Cookie', admin)
      .send({ ics, from: '2026-01-01', to: '2028-12-31' });
    expect(imported.status).toBe(201);
    expect(imported.body.holidays).toEqual(['2026-12-25', '2026-12-26', '2027-01-01', '2028-01-01']);

    const policy = await h
      .http()
      .post('/api/sla/policies')
      .set('Cookie', admin)
      .send({ name: 'Urgent', position: 1, conditions: { priorities: ['urgent'] }, firstResponseMinutes: 30, nextResponseMinutes: 60, calendarId: created.body.id });
    expect(policy.status).toBe(201);
    expect(policy.body).toMatchObject({ name: 'Urgent', warningPercent: 75, calendarId: created.body.id });
    const listed = await h.http().get('/api/sla/policies').set('Cookie', supervisor);
    expect(listed.body.map((p: { id: string }) => p.id)).toContain(policy.body.id);
  });

  it('names the failing field of a bad calendar, policy or iCalendar file', async () => {
    const zone = await h.http().post('/api/sla/calendars').set('Cookie', admin).send({ ...calendar, name: 'x', timeZone: 'Mars/Olympus' });
    expect(zone.status).toBe(400);
    expect(zone.body.message).toMatch(/timeZone/);
    const hours = await h
      .http()
      .post('/api/sla/calendars')
      .set('Cookie', admin)
      .send({ ...calendar, name: 'y', weeklyHours: { ...calendar.weeklyHours, mon: [['17:00', '09:00']] } });
    expect(hours.status).toBe(400);
    expect(hours.body.message).toMatch(/weeklyHours\.mon/);
    const policy = await h.http().post('/api/sla/policies').set('Cookie', admin).send({ name: 'p', firstResponseMinutes: -5, nextResponseMinutes: 10 });
    expect(policy.status).toBe(400);
    expect(policy.body.message).toMatch(/^firstResponseMinutes: /);
    const cal = await h.http().post('/api/sla/calendars').set('Cookie', admin).send({ ...calendar, name: 'z' });
    const bad = await h.http().post(`/api/sla/calendars/${cal.body.id}/holidays/import`).set('Cookie', admin).send({ ics: 'not a calendar', from: '2026-01-01', to: '2026-12-31' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^ics: /);
  });

  it('lets supervisors read but only admins change', async () => {
    expect((await h.http().get('/api/sla/calendars').set('Cookie', supervisor)).status).toBe(200);
    expect((await h.http().post('/api/sla/calendars').set('Cookie', supervisor).send({ ...calendar, name: 'nope' })).status).toBe(403);
    const agent = await h.login(await h.f.agent());
    expect((await h.http().get('/api/sla/policies').set('Cookie', agent)).status).toBe(403);
  });
});
