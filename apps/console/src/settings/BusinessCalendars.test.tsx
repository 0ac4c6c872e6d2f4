import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import BusinessCalendars from './BusinessCalendars';

const split: Array<[string, string]> = [
  ['09:00', '12:00'],
  ['13:00', '17:00'],
];
const calendar = {
  id: '00000000-0000-4000-8000-00000000c001',
  name: 'Berlin office',
  timeZone: 'Europe/Berlin',
  weeklyHours: { mon: split, tue: split, wed: split, thu: split, fri: [['09:00', '15:00']], sat: [], sun: [] },
  holidays: ['2026-12-25'],
};
const ics = 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:New Year\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';

const render = () => renderAt('/settings', [{ path: '/settings', element: <BusinessCalendars /> }]);
const bodyOf = (calls: ReturnType<typeof mockFetch>['calls'], method: string) => JSON.parse(String(calls.find((c) => c.init?.method === method)!.init!.body));

describe('BusinessCalendars', () => {
  it("round-trips a calendar's weekly hours and holidays through the editor", { timeout: 60_000 }, async () => {
    const { calls } = mockFetch({
      'GET /api/sla/calendars': () => jsonResponse(200, [calendar]),
      [`PUT /api/sla/calendars/${calendar.id}`]: (_u, init) => jsonResponse(200, { ...JSON.parse(String(init!.body)), id: calendar.id }),
    });
    render();
    const user = userEvent.setup({ delay: null });
    const row = await screen.findByTestId('calendar-row');
    expect(row).toHaveTextContent('Mon 09:00–12:00, 13:00–17:00');
    expect(row).toHaveTextContent('Sat closed');
    await user.click(within(row).getByTestId('calendar-edit'));
    const form = await screen.findByTestId('calendar-form');
    expect(within(form).getByTestId('calendar-zone')).toHaveValue('Europe/Berlin');

    // unchanged: what was loaded goes back as it was
    await user.click(within(form).getByTestId('calendar-save'));
    await waitFor(() => expect(calls.some((c) => c.init?.method === 'PUT')).toBe(true));
    const { id: _id, ...input } = calendar;
    expect(bodyOf(calls, 'PUT')).toEqual(input);
  });

  it('edits split shifts and holidays, and shows the server naming a day', { timeout: 60_000 }, async () => {
    const { calls } = mockFetch({
      'GET /api/sla/calendars': () => jsonResponse(200, [calendar]),
      [`PUT /api/sla/calendars/${calendar.id}`]: () =>
        jsonResponse(400, { statusCode: 400, error: 'Bad Request', message: 'weeklyHours.sat: ranges overlap' }),
    });
    render();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('calendar-edit'));
    const form = await screen.findByTestId('calendar-form');
    const sat = within(form).getByTestId('day-sat');
    await user.click(within(sat).getByRole('button', { name: 'Add Saturday range' }));
    const opens = within(sat).getByRole('textbox', { name: 'Saturday range 1 opens' });
    const closes = within(sat).getByRole('textbox', { name: 'Saturday range 1 closes' });
    await user.clear(opens);
    await user.type(opens, '10:00');
    await user.clear(closes);
    await user.type(closes, '14:00');
    await user.click(within(form).getByRole('button', { name: 'Remove Friday range 1' }));
    await user.click(within(form).getByRole('button', { name: 'Remove 2026-12-25' }));
    await user.type(within(form).getByTestId('holiday-date'), '2026-10-03');
    await user.click(within(form).getByTestId('holiday-add'));
    await user.click(within(form).getByTestId('calendar-save'));

    expect(await within(form).findByTestId('day-sat-error')).toHaveTextContent('ranges overlap');
    const body = bodyOf(calls, 'PUT');
    expect(body.weeklyHours).toEqual({ ...calendar.weeklyHours, fri: [], sat: [['10:00', '14:00']] });
    expect(body.holidays).toEqual(['2026-10-03']);
  });

  it('imports holidays by posting the chosen .ics file with its date range', { timeout: 60_000 }, async () => {
    const { calls } = mockFetch({
      'GET /api/sla/calendars': () => jsonResponse(200, [calendar]),
      [`POST /api/sla/calendars/${calendar.id}/holidays/import`]: () => jsonResponse(201, { ...calendar, holidays: ['2026-12-25', '2027-01-01'] }),
    });
    render();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('calendar-edit'));
    const form = await screen.findByTestId('calendar-form');
    const importer = within(form).getByTestId('ics-import');
    expect(within(importer).getByTestId('ics-import-submit')).toBeDisabled();
    const input = importer.querySelector('input[type="file"]') as HTMLInputElement;
    await user.upload(input, new File([ics], 'holidays.ics', { type: 'text/calendar' }));
    await waitFor(() => expect(within(importer).getByTestId('ics-import-submit')).toBeEnabled());
    await user.click(within(importer).getByTestId('ics-import-submit'));

    await waitFor(() => expect(calls.some((c) => c.init?.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.init?.method === 'POST')!;
    expect(post.url.pathname).toBe(`/api/sla/calendars/${calendar.id}/holidays/import`);
    const year = new Date().getFullYear();
    expect(JSON.parse(String(post.init!.body))).toEqual({ ics, from: `${year}-01-01`, to: `${year + 1}-12-31` });
    // the imported dates join the form's list
    expect(await within(within(form).getByTestId('holidays')).findByText('2027-01-01')).toBeInTheDocument();
  });
});
