import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { threadSummary } from '../test/factories';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import SupervisorPage from './SupervisorPage';

const me = { id: '00000000-0000-4000-8000-0000000000a1', name: 'Sue Supervisor', email: 'sue@desk.test', role: 'supervisor', availability: 'online', capacity: 10, teamIds: [] };
const bob = { id: '00000000-0000-4000-8000-0000000000b2', name: 'Bob Agent', email: 'bob@desk.test', role: 'agent', availability: 'online', capacity: 5, openAssigned: 2, breached: 1 };

describe('SupervisorPage', () => {
  it('lists stalled threads and requires a reason before a bulk reassignment', { timeout: 20_000 }, async () => {
    const t1 = threadSummary({ subject: 'Stuck one' });
    const t2 = threadSummary({ subject: 'Stuck two' });
    const stalled = (t: typeof t1, state: 'breached' | 'at_risk') => ({
      thread: t,
      reason: 'assignee_away',
      reasons: ['assignee_away'],
      ageSeconds: 7200,
      idleSeconds: 3600,
      policyId: null,
      stallMinutes: 60,
      sla: { metric: 'first_response', dueAt: '2025-01-01T10:00:00.000Z', state },
    });
    const { calls } = mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, me),
      'GET /api/supervisor/stalled': () => jsonResponse(200, { items: [stalled(t1, 'breached'), stalled(t2, 'at_risk')] }),
      'GET /api/supervisor/agents': () => jsonResponse(200, { items: [bob] }),
      'POST /api/supervisor/reassign': () => jsonResponse(200, { updated: [t1.id], failed: [] }),
    });
    renderAt('/supervisor', [{ path: '/supervisor', element: <SupervisorPage /> }]);
    const user = userEvent.setup();

    const rows = await screen.findAllByTestId('stalled-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Assignee away');
    expect(screen.getByTestId('breached-count')).toHaveTextContent('1 breached');
    expect(screen.getByTestId('at-risk-count')).toHaveTextContent('1 at risk');
    expect(await screen.findByText('2 / 5 open')).toBeInTheDocument();

    expect(screen.getByTestId('bulk-reassign')).toBeDisabled();
    await user.click(within(rows[0]!).getByTestId('stalled-select'));
    await user.click(screen.getByTestId('bulk-reassign'));

    const dialog = await screen.findByTestId('reassign-dialog');
    await user.selectOptions(within(dialog).getByTestId('reassign-agent'), bob.id);
    await user.click(within(dialog).getByTestId('reassign-submit'));
    expect(await within(dialog).findByText('A reason is required')).toBeInTheDocument();
    expect(calls.some((c) => c.init?.method === 'POST')).toBe(false);

    await user.type(within(dialog).getByTestId('reassign-reason'), 'Bob is on holiday');
    await user.click(within(dialog).getByTestId('reassign-submit'));
    await waitFor(() => expect(calls.some((c) => c.init?.method === 'POST')).toBe(true));
    const post = calls.find((c) => c.init?.method === 'POST')!;
    expect(JSON.parse(String(post.init!.body))).toEqual({ threadIds: [t1.id], assigneeId: bob.id, reason: 'Bob is on holiday' });
  });
});
