import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { keys } from '../api/keys';
import { MessageList } from '../thread/MessageList';
import { message } from '../test/factories';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import { appendMessage, updateDelivery } from './realtime-cache';

const THREAD = '00000000-0000-4000-8000-0000000000f9';

describe('delivery.updated', () => {
  it('moves an outbound message from queued to failed with the error, live', async () => {
    const reply = message({ threadId: THREAD, direction: 'outbound', author: { kind: 'agent', id: null, name: 'Alice' }, deliveryState: 'queued' });
    mockFetch({ [`GET /api/threads/${THREAD}/messages`]: () => jsonResponse(200, { items: [reply], nextCursor: null }) });
    const { client } = renderAt('/t', [{ path: '/t', element: <MessageList threadId={THREAD} /> }]);
    const item = await screen.findByTestId('message');
    expect(within(item).getByTestId('delivery-state')).toHaveTextContent('queued');

    act(() => updateDelivery(client, { threadId: THREAD, messageId: reply.id, state: 'sending', error: null }));
    await waitFor(() => expect(within(screen.getByTestId('message')).getByTestId('delivery-state')).toHaveTextContent('sending'));

    act(() => updateDelivery(client, { threadId: THREAD, messageId: reply.id, state: 'failed', error: '550 mailbox unavailable' }));
    await waitFor(() => expect(within(screen.getByTestId('message')).getByTestId('delivery-state')).toHaveTextContent('failed'));
    const after = screen.getByTestId('message');
    expect(after).toHaveTextContent('550 mailbox unavailable');
    expect(client.getQueryData(keys.messages(THREAD))).toBeTruthy();
  });

  it('does not lose an update that overtakes the message: it fetches again, and the message as created keeps the newer state', async () => {
    const reply = message({ threadId: THREAD, direction: 'outbound', author: { kind: 'agent', id: null, name: 'Alice' }, deliveryState: 'queued' });
    let served: unknown[] = [];
    mockFetch({ [`GET /api/threads/${THREAD}/messages`]: () => jsonResponse(200, { items: served, nextCursor: null }) });
    const { client } = renderAt('/t', [{ path: '/t', element: <MessageList threadId={THREAD} /> }]);
    await waitFor(() => expect(client.getQueryData(keys.messages(THREAD))).toBeTruthy());
    expect(screen.queryByTestId('message')).toBeNull();

    // the relay answered before the console heard of the reply: the server's row already says sent
    served = [{ ...reply, deliveryState: 'sent' }];
    act(() => updateDelivery(client, { threadId: THREAD, messageId: reply.id, state: 'sent', error: null }));
    await waitFor(() => expect(within(screen.getByTestId('message')).getByTestId('delivery-state')).toHaveTextContent('sent'));

    // then the POST's answer (or message.created) arrives, as it was when created
    act(() => appendMessage(client, THREAD, reply));
    expect(within(screen.getByTestId('message')).getByTestId('delivery-state')).toHaveTextContent('sent');
  });
});
