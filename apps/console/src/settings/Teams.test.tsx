import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import Teams from './Teams';

const agent = (id: string, name: string, teamIds: string[] = []) => ({
  id: `00000000-0000-4000-8000-0000000000${id}`,
  name,
  email: `${name.toLowerCase()}@desk.test`,
  role: 'agent',
  availability: 'online',
  capacity: 10,
  isActive: true,
  teamIds,
  createdAt: '2025-01-01T00:00:00.000Z',
});
const billing = { id: '00000000-0000-4000-8000-0000000000f1', name: 'Billing', memberIds: [] as string[] };
const ann = agent('a1', 'Ann', [billing.id]);
const bob = agent('b2', 'Bob');
billing.memberIds = [ann.id];
const inbox = {
  id: '00000000-0000-4000-8000-0000000000e1',
  name: 'Support',
  channel: 'email',
  address: 'support@acme.test',
  teamId: null,
  assignmentMode: 'manual',
  autoAckEnabled: true,
  ackTemplate: null,
  isActive: true,
};

function routes(extra: Parameters<typeof mockFetch>[0] = {}) {
  return mockFetch({
    'GET /api/teams': () => jsonResponse(200, [billing]),
    'GET /api/agents': () => jsonResponse(200, [ann, bob]),
    'GET /api/inboxes': () => jsonResponse(200, [inbox]),
    ...extra,
  });
}
const render = () => renderAt('/settings', [{ path: '/settings', element: <Teams /> }]);
const sent = (calls: ReturnType<typeof mockFetch>['calls'], method: string, path: string) =>
  calls.filter((c) => c.init?.method === method && c.url.pathname === path).map((c) => JSON.parse(String(c.init!.body)));

describe('Teams', () => {
  it('adds and removes team members through the agent, keeping their other teams', { timeout: 60_000 }, async () => {
    const { calls } = routes({
      [`PATCH /api/agents/${bob.id}`]: (_u, init) => jsonResponse(200, { ...bob, ...JSON.parse(String(init!.body)) }),
      [`PATCH /api/agents/${ann.id}`]: (_u, init) => jsonResponse(200, { ...ann, ...JSON.parse(String(init!.body)) }),
    });
    render();
    const user = userEvent.setup({ delay: null });
    const card = await screen.findByTestId('team-card');
    expect(await within(card).findByText('Ann')).toBeInTheDocument();
    await user.selectOptions(within(card).getByTestId('team-add-member'), bob.id);
    await waitFor(() => expect(sent(calls, 'PATCH', `/api/agents/${bob.id}`)).toEqual([{ teamIds: [billing.id] }]));
    await user.click(within(card).getByRole('button', { name: 'Remove Ann from Billing' }));
    await waitFor(() => expect(sent(calls, 'PATCH', `/api/agents/${ann.id}`)).toEqual([{ teamIds: [] }]));
  });

  it("saves an agent's capacity and routes an inbox to a team with an assignment mode", { timeout: 60_000 }, async () => {
    const { calls } = routes({
      [`PATCH /api/agents/${bob.id}`]: (_u, init) => jsonResponse(200, { ...bob, ...JSON.parse(String(init!.body)) }),
      [`PATCH /api/inboxes/${inbox.id}`]: (_u, init) => jsonResponse(200, { ...inbox, ...JSON.parse(String(init!.body)) }),
    });
    render();
    const user = userEvent.setup({ delay: null });
    const rows = await screen.findAllByTestId('capacity-row');
    const bobRow = rows.find((r) => r.textContent?.includes('Bob'))!;
    expect(within(bobRow).getByTestId('capacity-save')).toBeDisabled();
    await user.clear(within(bobRow).getByTestId('capacity-input'));
    await user.type(within(bobRow).getByTestId('capacity-input'), '4');
    await user.click(within(bobRow).getByTestId('capacity-save'));
    await waitFor(() => expect(sent(calls, 'PATCH', `/api/agents/${bob.id}`)).toEqual([{ capacity: 4 }]));

    const routing = await screen.findByTestId('routing-row');
    await user.selectOptions(within(routing).getByTestId('routing-team'), billing.id);
    await user.selectOptions(within(routing).getByTestId('routing-mode'), 'least_loaded');
    await waitFor(() => expect(sent(calls, 'PATCH', `/api/inboxes/${inbox.id}`)).toEqual([{ teamId: billing.id }, { assignmentMode: 'least_loaded' }]));
  });

  it('creates a team and shows a taken name under the input', { timeout: 60_000 }, async () => {
    const { calls } = routes({
      'POST /api/teams': () => jsonResponse(409, { statusCode: 409, error: 'Conflict', message: 'name: a team with this name exists' }),
    });
    render();
    const user = userEvent.setup({ delay: null });
    await user.type(await screen.findByTestId('team-name'), 'Billing');
    await user.click(screen.getByTestId('team-create'));
    expect(await screen.findByText('a team with this name exists')).toBeInTheDocument();
    expect(sent(calls, 'POST', '/api/teams')).toEqual([{ name: 'Billing' }]);
  });
});
