import { classifySmtpError, sendEmail } from './send-email';

describe('sendEmail', () => {
  it('returns the provider id, accepted and rejected addresses and the response', async () => {
    const sender = {
      sendMail: jest.fn(async () => ({
        messageId: '<m1@acme.test>',
        accepted: ['a@x.test', { address: 'b@x.test', name: 'B' }],
        rejected: ['c@x.test'],
        response: '250 2.0.0 Ok: queued as ABC',
      })),
    };
    const result = await sendEmail(sender, { to: 'a@x.test', text: 'hi' });
    expect(sender.sendMail).toHaveBeenCalledWith({ to: 'a@x.test', text: 'hi' });
    expect(result).toEqual({
      providerMessageId: '<m1@acme.test>',
      accepted: ['a@x.test', 'b@x.test'],
      rejected: ['c@x.test'],
      response: '250 2.0.0 Ok: queued as ABC',
    });
  });

  it('creates a transport from options (json transport here)', async () => {
    const result = await sendEmail({ jsonTransport: true } as never, { from: 'a@x.test', to: 'b@x.test', text: 'hi', messageId: '<j@x.test>' });
    expect(result.providerMessageId).toBe('<j@x.test>');
  });

  it('propagates errors', async () => {
    const err = Object.assign(new Error('no'), { responseCode: 550 });
    await expect(sendEmail({ sendMail: async () => Promise.reject(err) }, {})).rejects.toBe(err);
  });
});

describe('classifySmtpError', () => {
  it.each([
    [{ responseCode: 421 }, 'temporary'],
    [{ responseCode: 451, code: 'EENVELOPE' }, 'temporary'],
    [{ responseCode: 550, code: 'EENVELOPE' }, 'permanent'],
    [{ responseCode: 554 }, 'permanent'],
    [{ response: '552 5.3.4 Message too big' }, 'permanent'],
    [{ response: '450 4.2.0 Mailbox busy' }, 'temporary'],
    [{ code: 'ECONNECTION' }, 'temporary'],
    [{ code: 'ETIMEDOUT' }, 'temporary'],
    [{ code: 'ECONNREFUSED' }, 'temporary'],
    [{ code: 'EENVELOPE' }, 'permanent'],
    [new Error('something odd'), 'temporary'],
    [null, 'temporary'],
  ])('%j → %s', (err, expected) => {
    expect(classifySmtpError(err)).toBe(expected);
  });
});
