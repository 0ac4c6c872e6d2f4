import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Contact, ContactMerge } from '@desk/contracts';
import { contact as contactFactory } from '../test/factories';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import { CustomerPanel } from './CustomerPanel';

const agent = { id: '00000000-0000-4000-8000-0000000000a1', name: 'Alice Agent', email: 'alice@desk.test', role: 'agent', availability: 'online', capacity: 10, teamIds: [] };
const supervisor = { ...agent, name: 'Sam Supervisor', role: 'supervisor' };
const threadId = '00000000-0000-4000-8000-0000000000f1';

/** The panel's reads for `jane`; `extra` adds or overrides routes. */
function routesFor(jane: Contact, extra: Parameters<typeof mockFetch>[0] = {}, me: object = agent) {
  return {
    'GET /api/auth/me': () => jsonResponse(200, me),
    [`GET /api/contacts/${jane.id}`]: () => jsonResponse(200, jane),
    [`GET /api/contacts/${jane.id}/threads`]: () => jsonResponse(200, { items: [], nextCursor: null }),
    [`GET /api/contacts/${jane.id}/merge-suggestions`]: () => jsonResponse(200, []),
    [`GET /api/contacts/${jane.id}/merges`]: () => jsonResponse(200, []),
    ...extra,
  };
}

function renderPanel(jane: Contact) {
  return renderAt('/t', [
    { path: '/t', element: <CustomerPanel contact={{ id: jane.id, name: jane.name, primaryEmail: jane.primaryEmail }} currentThreadId={threadId} /> },
  ]);
}

const posted = (calls: ReturnType<typeof mockFetch>['calls'], path: string) =>
  calls.filter((c) => c.init?.method === 'POST' && c.url.pathname === path).map((c) => JSON.parse(String(c.init!.body)) as unknown);

describe('CustomerPanel: link identities', () => {
  it('sends the kind and value, and shows the field error of a 400 under the value', { timeout: 20_000 }, async () => {
    const jane = contactFactory({ name: 'Jane Doe' });
    const { calls } = mockFetch(
      routesFor(jane, {
        [`POST /api/contacts/${jane.id}/identities`]: () =>
          jsonResponse(400, {
            statusCode: 400,
            error: 'Bad Request',
            message: 'value: Too big: expected string to have <=320 characters',
            fields: [{ path: 'value', message: 'Too big: expected string to have <=320 characters' }],
          }),
      }),
    );
    renderPanel(jane);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('link-identity-open'));
    const dialog = await screen.findByRole('dialog');
    await user.selectOptions(within(dialog).getByTestId('link-identity-kind'), 'x');
    await user.type(within(dialog).getByTestId('link-identity-value'), '@JaneOnX');
    await user.click(within(dialog).getByTestId('link-identity-submit'));

    const value = within(dialog).getByTestId('link-identity-value');
    await waitFor(() => expect(value).toHaveAccessibleDescription(/Too big: expected string to have <=320 characters/));
    expect(posted(calls, `/api/contacts/${jane.id}/identities`)).toEqual([{ kind: 'x', value: '@JaneOnX' }]);
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('on a 409 names the contact that owns the identity and offers to merge it instead', { timeout: 20_000 }, async () => {
    const jane = contactFactory({ name: 'Jane Doe' });
    const owner = contactFactory({ name: 'Jane on X' });
    mockFetch(
      routesFor(jane, {
        [`GET /api/contacts/${owner.id}`]: () => jsonResponse(200, owner),
        [`GET /api/contacts/${owner.id}/threads`]: () => jsonResponse(200, { items: [], nextCursor: null }),
        [`POST /api/contacts/${jane.id}/identities`]: () =>
          jsonResponse(409, {
            statusCode: 409,
            error: 'Conflict',
            message: 'value: the x identity janeonx belongs to another contact; merge the contacts instead',
            ownerContactId: owner.id,
            suggestion: 'merge',
          }),
      }),
    );
    renderPanel(jane);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('link-identity-open'));
    const dialog = await screen.findByRole('dialog');
    await user.selectOptions(within(dialog).getByTestId('link-identity-kind'), 'x');
    await user.type(within(dialog).getByTestId('link-identity-value'), 'janeonx');
    await user.click(within(dialog).getByTestId('link-identity-submit'));

    expect(within(dialog).getByTestId('link-identity-value')).toHaveAccessibleDescription(/belongs to another contact/);
    const conflict = await within(dialog).findByTestId('link-identity-conflict');
    await waitFor(() => expect(conflict).toHaveTextContent('Jane on X already has this identity'));
    await user.click(within(conflict).getByTestId('link-identity-merge-owner'));
    expect(await screen.findByTestId('merge-summary')).toHaveTextContent('Merge Jane on X into Jane Doe');
  });
});

describe('CustomerPanel: merge', () => {
  it('requires a reason, then merges the contact found by search, saying what moves', { timeout: 20_000 }, async () => {
    const jane = contactFactory({ name: 'Jane Doe' });
    const bob = contactFactory({ name: 'Jane D.', primaryEmail: 'jd@shop.example' });
    let merged = false;
    const { calls } = mockFetch(
      routesFor(jane, {
        'GET /api/contacts': (url) => jsonResponse(200, { items: url.searchParams.get('q') === 'jane' ? [jane, bob] : [], nextCursor: null }),
        [`GET /api/contacts/${bob.id}`]: () => jsonResponse(200, bob),
        [`GET /api/contacts/${bob.id}/threads`]: () => jsonResponse(200, { items: [], nextCursor: null }),
        [`POST /api/contacts/${jane.id}/merge`]: () => {
          merged = true;
          return jsonResponse(200, { contactId: jane.id, mergedContactId: bob.id, threadIds: [], messageIds: [], identityIds: [bob.identities[0]!.id] });
        },
        [`GET /api/contacts/${jane.id}/merges`]: () =>
          jsonResponse(
            200,
            merged
              ? [{ mergedContactId: bob.id, name: 'Jane D.', primaryEmail: bob.primaryEmail, reason: 'same shop account', mergedBy: { id: agent.id, name: agent.name }, mergedAt: '2025-01-02T10:00:00.000Z', threadCount: 0, identityCount: 1 }]
              : [],
          ),
      }),
    );
    renderPanel(jane);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('merge-contact-open'));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByTestId('merge-search'), 'jane');
    // the contact on screen is not offered
    const results = await within(dialog).findAllByTestId('merge-search-result');
    expect(results).toHaveLength(1);
    await user.click(results[0]!);

    const summary = await within(dialog).findByTestId('merge-summary');
    expect(summary).toHaveTextContent('Merge Jane D. into Jane Doe');
    expect(summary).toHaveTextContent(/conversations/);
    await waitFor(() => expect(summary).toHaveTextContent(`identities: Email ${bob.primaryEmail}`));
    expect(summary).toHaveTextContent(/can be undone/);

    await user.click(within(dialog).getByTestId('merge-submit'));
    expect(within(dialog).getByTestId('merge-reason')).toHaveAccessibleDescription(/Give a reason/);
    expect(posted(calls, `/api/contacts/${jane.id}/merge`)).toEqual([]);

    await user.type(within(dialog).getByTestId('merge-reason'), 'same shop account');
    await user.click(within(dialog).getByTestId('merge-submit'));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(posted(calls, `/api/contacts/${jane.id}/merge`)).toEqual([{ otherContactId: bob.id, reason: 'same shop account' }]);
    // the merge is listed after the refetch; an agent cannot undo it
    const entry = await screen.findByTestId('contact-merge');
    expect(entry).toHaveTextContent('Merged Jane D.');
    expect(within(entry).queryByTestId('undo-merge-open')).not.toBeInTheDocument();
  });

  it('lists merge suggestions with their reasons and merges one from there', { timeout: 20_000 }, async () => {
    const jane = contactFactory({ name: 'Ann Lee', primaryEmail: 'ann@shop.example' });
    const plus = contactFactory({ name: 'Someone', primaryEmail: 'ann+orders@shop.example' });
    const { calls } = mockFetch(
      routesFor(jane, {
        [`GET /api/contacts/${jane.id}/merge-suggestions`]: () =>
          jsonResponse(200, [{ contactId: plus.id, name: 'Someone', primaryEmail: 'ann+orders@shop.example', reasons: ['identity', 'name-and-domain'] }]),
        [`GET /api/contacts/${plus.id}`]: () => jsonResponse(200, plus),
        [`GET /api/contacts/${plus.id}/threads`]: () => jsonResponse(200, { items: [], nextCursor: null }),
        [`POST /api/contacts/${jane.id}/merge`]: () =>
          jsonResponse(200, { contactId: jane.id, mergedContactId: plus.id, threadIds: [], messageIds: [], identityIds: [] }),
      }),
    );
    renderPanel(jane);
    const user = userEvent.setup();
    const suggestion = await screen.findByTestId('merge-suggestion');
    expect(suggestion).toHaveTextContent('Same identity');
    expect(suggestion).toHaveTextContent('Same name and email domain');
    await user.click(within(suggestion).getByTestId('merge-suggestion-merge'));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByTestId('merge-reason'), 'plus address of the same mailbox');
    await user.click(within(dialog).getByTestId('merge-submit'));
    await waitFor(() => expect(posted(calls, `/api/contacts/${jane.id}/merge`)).toEqual([{ otherContactId: plus.id, reason: 'plus address of the same mailbox' }]));
  });
});

describe('CustomerPanel: undo a merge', () => {
  it('a supervisor undoes a listed merge with a reason; it sends the merged contact id', { timeout: 20_000 }, async () => {
    const jane = contactFactory({ name: 'Jane Doe' });
    const dupeId = '00000000-0000-4000-8000-0000000000d1';
    const past: ContactMerge = {
      mergedContactId: dupeId,
      name: 'Jane Duplicate',
      primaryEmail: 'dupe@example.com',
      reason: 'same person on X',
      mergedBy: { id: agent.id, name: agent.name },
      mergedAt: '2025-01-02T10:00:00.000Z',
      threadCount: 2,
      identityCount: 1,
    };
    let undone = false;
    const { calls } = mockFetch(
      routesFor(
        jane,
        {
          [`GET /api/contacts/${jane.id}/merges`]: () => jsonResponse(200, undone ? [] : [past]),
          [`POST /api/contacts/${jane.id}/unmerge`]: () => {
            undone = true;
            return jsonResponse(200, { contactId: jane.id, mergedContactId: dupeId, threadIds: [], messageIds: [], identityIds: [] });
          },
        },
        supervisor,
      ),
    );
    renderPanel(jane);
    const user = userEvent.setup();
    const entry = await screen.findByTestId('contact-merge');
    expect(entry).toHaveTextContent('Merged Jane Duplicate');
    expect(entry).toHaveTextContent('same person on X');
    await user.click(await within(entry).findByTestId('undo-merge-open'));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('2 conversations and 1 identity');

    await user.click(within(dialog).getByTestId('undo-merge-submit'));
    expect(within(dialog).getByTestId('undo-merge-reason')).toHaveAccessibleDescription(/Give a reason/);
    await user.type(within(dialog).getByTestId('undo-merge-reason'), 'different people');
    await user.click(within(dialog).getByTestId('undo-merge-submit'));

    await waitFor(() => expect(screen.queryByTestId('contact-merge')).not.toBeInTheDocument());
    expect(posted(calls, `/api/contacts/${jane.id}/unmerge`)).toEqual([{ mergedContactId: dupeId, reason: 'different people' }]);
  });
});
