import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import InboxSetup from './InboxSetup';

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
const view = {
  inboxId: inbox.id,
  channel: 'email',
  values: { imap: { host: 'imap.acme.test', port: 993, secure: true, user: 'support', mailbox: 'INBOX', afterImport: 'seen' } },
  secrets: { 'imap.password': true, webhookSecret: false },
};
const path = `/api/inboxes/${inbox.id}/settings`;
const render = () => renderAt('/settings', [{ path: '/settings', element: <InboxSetup /> }]);

describe('InboxSetup', () => {
  it('edits IMAP settings, keeps the stored password unless a new one is typed, and sends new secrets write-only', { timeout: 60_000 }, async () => {
    const { calls } = mockFetch({
      'GET /api/inboxes': () => jsonResponse(200, [inbox]),
      [`GET ${path}`]: () => jsonResponse(200, view),
      [`PUT ${path}`]: () => jsonResponse(200, { ...view, secrets: { 'imap.password': true, webhookSecret: true } }),
    });
    render();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('setup-open'));
    const form = await screen.findByTestId('setup-form');
    // a stored secret is shown as "set", its box empty
    expect(within(form).getByTestId('setup-imap.password-state')).toHaveTextContent('set');
    expect(within(form).getByTestId('setup-imap.password')).toHaveValue('');
    expect(within(form).getByTestId('setup-webhookSecret-state')).toHaveTextContent('not set');

    const host = within(form).getByTestId('setup-imap.host');
    await user.clear(host);
    await user.type(host, 'mail.acme.test');
    await user.type(within(form).getByTestId('setup-webhookSecret'), 'whsec');
    await user.click(within(form).getByTestId('setup-save'));

    await waitFor(() => expect(calls.some((c) => c.init?.method === 'PUT')).toBe(true));
    expect(JSON.parse(String(calls.find((c) => c.init?.method === 'PUT')!.init!.body))).toEqual({
      values: { imap: { ...view.values.imap, host: 'mail.acme.test' } },
      secrets: { webhookSecret: 'whsec' },
    });
  });

  it('shows the server naming a setting under its input', { timeout: 60_000 }, async () => {
    mockFetch({
      'GET /api/inboxes': () => jsonResponse(200, [inbox]),
      [`GET ${path}`]: () => jsonResponse(200, view),
      [`PUT ${path}`]: () =>
        jsonResponse(400, {
          statusCode: 400,
          error: 'Bad Request',
          message: 'values.imap.port: Too big: expected number to be <=65535',
          fields: [{ path: 'values.imap.port', message: 'Too big: expected number to be <=65535' }],
        }),
    });
    render();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('setup-open'));
    const form = await screen.findByTestId('setup-form');
    await user.click(within(form).getByTestId('setup-save'));
    expect(await within(form).findByText('Too big: expected number to be <=65535')).toBeInTheDocument();
    expect(within(form).getByTestId('setup-imap.port')).toHaveAttribute('aria-invalid', 'true');
  });

  it('turning IMAP off removes its settings and asks to remove the stored password', { timeout: 60_000 }, async () => {
    const { calls } = mockFetch({
      'GET /api/inboxes': () => jsonResponse(200, [inbox]),
      [`GET ${path}`]: () => jsonResponse(200, view),
      [`PUT ${path}`]: () => jsonResponse(200, { ...view, values: {}, secrets: { 'imap.password': false, webhookSecret: false } }),
    });
    render();
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByTestId('setup-open'));
    const form = await screen.findByTestId('setup-form');
    await user.click(within(form).getByTestId('setup-toggle-imap'));
    expect(within(form).queryByTestId('setup-imap.host')).not.toBeInTheDocument();
    await user.click(within(form).getByTestId('setup-save'));
    await waitFor(() => expect(calls.some((c) => c.init?.method === 'PUT')).toBe(true));
    expect(JSON.parse(String(calls.find((c) => c.init?.method === 'PUT')!.init!.body))).toEqual({ values: {}, secrets: { 'imap.password': null } });
  });
});
