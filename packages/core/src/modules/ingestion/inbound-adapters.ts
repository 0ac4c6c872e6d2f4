import { AdapterRegistry, createEmailAdapter } from '@desk/channels';

/** Registry token of the adapters used to PARSE inbound payloads (sending goes through the delivery module). */
export const INBOUND_ADAPTERS = Symbol('INBOUND_ADAPTERS');

const refuseToSend = {
  sendMail(): Promise<never> {
    return Promise.reject(new Error('the inbound adapter registry does not send mail'));
  },
};

export function createInboundAdapters(): AdapterRegistry {
  return new AdapterRegistry([createEmailAdapter({ transport: refuseToSend })]);
}
