import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import SlaPolicies from './SlaPolicies';

const calendar = {
  id: '00000000-0000-4000-8000-00000000c001',
  name: 'Berlin office',
  timeZone: 'Europe/Berlin',
  weeklyHours: { mon: [['09:00', '17:00']], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
  holidays: [],
};
const gold = {
  id: '00000000-0000-4000-8000-00000000a001',
  name: 'Gold',
  position: 1,
  conditions: { priorities: ['urgent'], channels: ['email'] },
  firstResponseMinutes: 30,
  nextResponseMinutes: 120,
  resolutionMinutes: null,
  warningPercent: 80,
  pauseWhenPending: true,
  pauseWhenSnoozed: true,
  stallMinutes: 240,
  autoReassignAfterMinutes: null,
  escalation: [{ afterMinutes: 15, action: 'email_supervisors' }],
  calendarId: calendar.id,
  isActive: true,
};

function routes(extra: Parameters<typeof mockFetch>[0] = {}) {
  return mockFetch({
    'GET /api/sla/policies': () => jsonResponse(200, [gold]),
    'GET /api/sla/calendars': () => jsonResponse(200, [calendar]),
    'GET /api/inboxes': () => jsonResponse(200, []),
    'GET /api/teams': () => jsonResponse(200, []),
    ...extra,
  });
}

const render = () => renderAt('/settings', [{ path: '/settings', element: <SlaPolicies /> }]);

describe('SlaPolicies', () => {
  it('lists policies in match order with their conditions, targets, calendar and escalation', async () => {
    routes();
    render();
    const row = await screen.findByTestId('policy-row');
    expect(row).toHaveTextContent('Gold');
    expect(row).toHaveTextContent('priority: urgent');
    expect(row).toHaveTextContent('channel: Email');
    expect(row).toHaveTextContent('30 min / 2 h');
    expect(await within(row).findByText('Berlin office')).toBeInTheDocument();
    expect(row).toHaveTextContent('+15 min: Email the supervisors');
  });

  it('creating a policy sends the contracts body, targets in business minutes', { timeout: 60_000 }, async () => {
    const { calls } = routes({ 'POST /api/sla/policies': (_u, init) => jsonResponse(201, { ...JSON.parse(String(init!.body)), id: gold.id }) });
    render();
    const user = userEvent.setup({ delay: null });
    await screen.findByTestId('policy-row');
    await user.click(screen.getByTestId('policy-new'));
    const form = await screen.findByTestId('policy-form');
    await user.type(within(form).getByTestId('policy-name'), 'Standard');
    await user.clear(within(form).getByTestId('policy-position'));
    await user.type(within(form).getByTestId('policy-position'), '5');
    await user.type(within(form).getByTestId('policy-first'), '45');
    await user.selectOptions(within(form).getByTestId('policy-next-unit'), 'h');
    await user.type(within(form).getByTestId('policy-next'), '4');
    await user.selectOptions(within(form).getByTestId('policy-calendar'), calendar.id);
    await user.click(within(form).getByText('Add escalation step'));
    await user.click(within(form).getByTestId('policy-save'));

    await waitFor(() => expect(calls.some((c) => c.init?.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.init?.method === 'POST')!;
    expect(post.url.pathname).toBe('/api/sla/policies');
    expect(JSON.parse(String(post.init!.body))).toEqual({
      name: 'Standard',
      position: 5,
      conditions: {},
      firstResponseMinutes: 45,
      nextResponseMinutes: 240,
      resolutionMinutes: null,
      warningPercent: 75,
      pauseWhenPending: true,
      pauseWhenSnoozed: true,
      stallMinutes: 240,
      autoReassignAfterMinutes: null,
      escalation: [{ afterMinutes: 0, action: 'notify_assignee' }],
      calendarId: calendar.id,
      isActive: true,
    });
  });

  it("shows a server 400 under the field it names, and a schema error before sending anything", { timeout: 60_000 }, async () => {
    const { calls } = routes({
      [`PUT /api/sla/policies/${gold.id}`]: () =>
        jsonResponse(400, {
          statusCode: 400,
          error: 'Bad Request',
          message: 'warningPercent: must leave room before the breach',
          fields: [{ path: 'warningPercent', message: 'must leave room before the breach' }],
        }),
    });
    render();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('policy-edit'));
    const form = await screen.findByTestId('policy-form');
    expect(within(form).getByTestId('policy-name')).toHaveValue('Gold');

    // empty required target: caught by the contracts schema, no request
    await user.clear(within(form).getByTestId('policy-first'));
    await user.click(within(form).getByTestId('policy-save'));
    expect(await within(form).findByText(/expected number/i)).toBeInTheDocument();
    expect(calls.some((c) => c.init?.method === 'PUT')).toBe(false);

    await user.type(within(form).getByTestId('policy-first'), '20');
    await user.click(within(form).getByTestId('policy-save'));
    const warning = within(form).getByTestId('policy-warning');
    await waitFor(() => expect(warning).toHaveAttribute('aria-invalid', 'true'));
    expect(within(form).getByText('must leave room before the breach')).toBeInTheDocument();
    const put = calls.find((c) => c.init?.method === 'PUT')!;
    expect(JSON.parse(String(put.init!.body))).toMatchObject({ name: 'Gold', firstResponseMinutes: 20, conditions: gold.conditions, escalation: gold.escalation });
  });

  it('a service error that starts with a field path lands under that field', { timeout: 60_000 }, async () => {
    routes({
      'POST /api/sla/policies': () => jsonResponse(404, { statusCode: 404, error: 'Not Found', message: 'calendarId: unknown calendar' }),
    });
    render();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('policy-new'));
    const form = await screen.findByTestId('policy-form');
    await user.type(within(form).getByTestId('policy-name'), 'X');
    await user.type(within(form).getByTestId('policy-first'), '10');
    await user.type(within(form).getByTestId('policy-next'), '10');
    await user.selectOptions(within(form).getByTestId('policy-calendar'), calendar.id);
    await user.click(within(form).getByTestId('policy-save'));
    expect(await within(form).findByText('unknown calendar')).toBeInTheDocument();
    expect(within(form).getByTestId('policy-calendar')).toHaveAttribute('aria-invalid', 'true');
  });

  it('deleting shows the refusal when clocks still run under the policy', { timeout: 60_000 }, async () => {
    const { calls } = routes({
      [`DELETE /api/sla/policies/${gold.id}`]: () =>
        jsonResponse(409, { statusCode: 409, error: 'Conflict', message: 'isActive: threads have running clocks under this policy; deactivate it instead' }),
    });
    render();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('policy-delete'));
    await user.click(await screen.findByTestId('policy-delete-confirm'));
    expect(await screen.findByText(/deactivate it instead/)).toBeInTheDocument();
    expect(calls.filter((c) => c.init?.method === 'DELETE')).toHaveLength(1);
  });
});
