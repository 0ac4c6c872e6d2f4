import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import SettingsPage from './SettingsPage';

const admin = { id: '00000000-0000-4000-8000-0000000000a1', name: 'Ada Admin', email: 'ada@desk.test', role: 'admin', availability: 'online', capacity: 10, teamIds: [] };

describe('SettingsPage tabs', () => {
  it('loads each admin screen when its tab is opened', { timeout: 60_000 }, async () => {
    mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, admin),
      'GET /api/inboxes': () => jsonResponse(200, []),
      'GET /api/agents': () => jsonResponse(200, []),
      'GET /api/teams': () => jsonResponse(200, []),
      'GET /api/sla/policies': () => jsonResponse(200, []),
      'GET /api/sla/calendars': () => jsonResponse(200, []),
    });
    renderAt('/settings', [{ path: '/settings', element: <SettingsPage /> }]);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('tab', { name: 'SLA policies' }));
    expect(await screen.findByText('No policies: no thread gets an SLA deadline.')).toBeInTheDocument();
    await user.click(screen.getByRole('tab', { name: 'Business calendars' }));
    expect(await screen.findByTestId('business-calendars')).toBeInTheDocument();
    await user.click(screen.getByRole('tab', { name: 'Teams & capacity' }));
    expect(await screen.findByTestId('teams-settings')).toBeInTheDocument();
    await user.click(screen.getByRole('tab', { name: 'Acknowledgements' }));
    expect(await screen.findByText('No inboxes yet.')).toBeInTheDocument();
    await user.click(screen.getByRole('tab', { name: 'Channel setup' }));
    expect(await screen.findByTestId('inbox-setup')).toBeInTheDocument();
  });
});
