import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ThreadDetail } from '@desk/contracts';
import { keys } from '../api/keys';
import { threadSummary } from '../test/factories';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import { EmailSuggestions } from './EmailSuggestions';

const me = { id: '00000000-0000-4000-8000-0000000000a1', name: 'Alice Agent', email: 'alice@desk.test', role: 'agent', availability: 'online', capacity: 10, teamIds: [] };

function xThread(overrides: Partial<ThreadDetail> = {}): ThreadDetail {
  return {
    ...threadSummary({ channel: 'x', subject: null, contact: { id: '00000000-0000-4000-8000-0000000000c1', name: 'Jane on X', primaryEmail: null } }),
    linkedThreadId: null,
    resolvedAt: null,
    ...overrides,
  };
}

const render = (thread: ThreadDetail) => renderAt('/t', [{ path: '/t', element: <EmailSuggestions thread={thread} /> }]);

describe('EmailSuggestions', () => {
  beforeEach(() => sessionStorage.clear());

  it('links the address the customer wrote with one click, then no longer suggests it', { timeout: 20_000 }, async () => {
    const thread = xThread();
    let linked = false;
    const { calls } = mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, me),
      [`GET /api/threads/${thread.id}/email-suggestions`]: () => jsonResponse(200, { addresses: linked ? [] : ['jane@example.com'] }),
      [`POST /api/contacts/${thread.contact.id}/identities`]: () => {
        linked = true;
        return jsonResponse(201, {
          id: '00000000-0000-4000-8000-0000000000e1',
          contactId: thread.contact.id,
          kind: 'email',
          value: 'jane@example.com',
          normalizedValue: 'jane@example.com',
          created: true,
        });
      },
    });
    render(thread);
    const user = userEvent.setup();
    const suggestion = await screen.findByTestId('email-suggestion');
    expect(suggestion).toHaveTextContent('The customer wrote jane@example.com');
    await user.click(within(suggestion).getByTestId('email-suggestion-link'));

    await waitFor(() => expect(screen.queryByTestId('email-suggestion')).not.toBeInTheDocument());
    const posts = calls.filter((c) => c.init?.method === 'POST');
    expect(posts.map((c) => [c.url.pathname, JSON.parse(String(c.init!.body))])).toEqual([
      [`/api/contacts/${thread.contact.id}/identities`, { kind: 'email', value: 'jane@example.com' }],
    ]);
    // the thread's suggestions were asked again after the link (the cache was invalidated)
    await waitFor(() => expect(calls.filter((c) => c.url.pathname.endsWith('/email-suggestions')).length).toBeGreaterThanOrEqual(2));
  });

  it('shows why a link failed, e.g. the address belongs to another customer', { timeout: 20_000 }, async () => {
    const thread = xThread();
    mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, me),
      [`GET /api/threads/${thread.id}/email-suggestions`]: () => jsonResponse(200, { addresses: ['jane@example.com'] }),
      [`POST /api/contacts/${thread.contact.id}/identities`]: () =>
        jsonResponse(409, {
          statusCode: 409,
          error: 'Conflict',
          message: 'value: the email identity jane@example.com belongs to another contact; merge the contacts instead',
          ownerContactId: '00000000-0000-4000-8000-0000000000c2',
          suggestion: 'merge',
        }),
    });
    render(thread);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('email-suggestion-link'));
    expect(await screen.findByTestId('email-suggestion-error')).toHaveTextContent(/^the email identity jane@example.com belongs to another contact/);
    expect(screen.getByTestId('email-suggestion')).toBeInTheDocument();
  });

  it('Dismiss hides the suggestion for this thread and remembers it for the tab', { timeout: 20_000 }, async () => {
    const thread = xThread();
    const { calls } = mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, me),
      [`GET /api/threads/${thread.id}/email-suggestions`]: () => jsonResponse(200, { addresses: ['jane@example.com'] }),
    });
    const first = render(thread);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('email-suggestion-dismiss'));
    expect(screen.queryByTestId('email-suggestion')).not.toBeInTheDocument();
    first.unmount();

    // opened again in the same tab: still dismissed, though the server still suggests it
    const again = render(thread);
    await waitFor(() => expect(again.client.getQueryData(keys.emailSuggestions(thread.id))).toEqual({ addresses: ['jane@example.com'] }));
    expect(screen.queryByTestId('email-suggestion')).not.toBeInTheDocument();
    expect(calls.some((c) => c.init?.method === 'POST')).toBe(false);
    again.unmount();

    // another thread of the same customer still asks
    const other = xThread();
    mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, me),
      [`GET /api/threads/${other.id}/email-suggestions`]: () => jsonResponse(200, { addresses: ['jane@example.com'] }),
    });
    render(other);
    expect(await screen.findByTestId('email-suggestion')).toBeInTheDocument();
  });

  it('asks nothing on an email thread', async () => {
    const thread = xThread({ channel: 'email' });
    const { calls } = mockFetch({ 'GET /api/auth/me': () => jsonResponse(200, me) });
    render(thread);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.some((c) => c.url.pathname.endsWith('/email-suggestions'))).toBe(false);
    expect(screen.queryByTestId('email-suggestions')).not.toBeInTheDocument();
  });
});
