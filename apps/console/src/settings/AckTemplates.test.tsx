import { DEFAULT_ACK_TEMPLATE } from '@desk/contracts';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import AckTemplates, { renderPreview, unknownPlaceholders } from './AckTemplates';

const inbox = (id: string, name: string, ackTemplate: string | null) => ({
  id: `00000000-0000-4000-8000-0000000000${id}`,
  name,
  channel: 'email',
  address: `${id}@acme.test`,
  teamId: null,
  assignmentMode: 'manual',
  autoAckEnabled: true,
  ackTemplate,
  isActive: true,
});
const support = inbox('e1', 'Support', null);
const sales = inbox('e2', 'Sales', 'Hi {{name}}, ticket {{ number }} received.');
const values = { name: 'Jane', number: '7', promise: 'by noon', inbox: 'Support' };

describe('acknowledgement preview', () => {
  it('fills exactly the server placeholders, spaces allowed, and falls back to the default text', () => {
    expect(renderPreview('Hi {{ name }} #{{number}} {{promise}} {{inbox}} {{agent}}', values)).toBe('Hi Jane #7 by noon Support {{agent}}');
    expect(renderPreview('   ', values)).toBe(DEFAULT_ACK_TEMPLATE.replace('{{name}}', 'Jane').replace('{{number}}', '7').replace('{{promise}}', 'by noon').replace('{{inbox}}', 'Support'));
    expect(unknownPlaceholders('{{name}} {{agent}} {{ ticket }}')).toEqual(['agent', 'ticket']);
  });
});

describe('AckTemplates', () => {
  it("edits one inbox's template with a live preview and saves it", { timeout: 60_000 }, async () => {
    const { calls } = mockFetch({
      'GET /api/inboxes': () => jsonResponse(200, [support, sales]),
      [`PATCH /api/inboxes/${sales.id}`]: (_u, init) => jsonResponse(200, { ...sales, ...JSON.parse(String(init!.body)) }),
    });
    renderAt('/settings', [{ path: '/settings', element: <AckTemplates /> }]);
    const user = userEvent.setup({ delay: null });
    const preview = await screen.findByTestId('ack-preview');
    // an inbox without its own text previews the default
    expect(preview).toHaveTextContent('Your request is #1042');
    expect(preview).toHaveTextContent('— Support');

    await user.selectOptions(screen.getByTestId('ack-inbox'), sales.id);
    const editor = screen.getByTestId('ack-editor');
    expect(within(editor).getByTestId('ack-template')).toHaveValue(sales.ackTemplate);
    expect(within(editor).getByTestId('ack-preview')).toHaveTextContent('Hi Jane Doe, ticket 1042 received.');

    fireEvent.change(within(editor).getByTestId('ack-template'), { target: { value: 'Dear {{name}}, {{agent}} will answer {{promise}}.' } });
    expect(within(editor).getByTestId('ack-preview')).toHaveTextContent('Dear Jane Doe, {{agent}} will answer by tomorrow 10:00.');
    expect(within(editor).getByTestId('ack-unknown')).toHaveTextContent('{{agent}}');
    await user.click(within(editor).getByTestId('ack-enabled'));
    await user.click(within(editor).getByTestId('ack-save'));

    await waitFor(() => expect(calls.some((c) => c.init?.method === 'PATCH')).toBe(true));
    const patch = calls.find((c) => c.init?.method === 'PATCH')!;
    expect(JSON.parse(String(patch.init!.body))).toEqual({ autoAckEnabled: false, ackTemplate: 'Dear {{name}}, {{agent}} will answer {{promise}}.' });
  });

  it('sends null for a cleared template so the inbox goes back to the default', { timeout: 60_000 }, async () => {
    const { calls } = mockFetch({
      'GET /api/inboxes': () => jsonResponse(200, [sales]),
      [`PATCH /api/inboxes/${sales.id}`]: (_u, init) => jsonResponse(200, { ...sales, ...JSON.parse(String(init!.body)) }),
    });
    renderAt('/settings', [{ path: '/settings', element: <AckTemplates /> }]);
    const user = userEvent.setup({ delay: null });
    await user.clear(await screen.findByTestId('ack-template'));
    await user.click(screen.getByTestId('ack-save'));
    await waitFor(() => expect(calls.some((c) => c.init?.method === 'PATCH')).toBe(true));
    expect(JSON.parse(String(calls.find((c) => c.init?.method === 'PATCH')!.init!.body))).toEqual({ autoAckEnabled: true, ackTemplate: null });
  });
});
