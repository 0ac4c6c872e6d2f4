import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ThreadDetail } from '@desk/contracts';
import { message, threadDetail } from '../test/factories';
import { jsonResponse, mockFetch, renderAt } from '../test/render';
import { AttachmentPicker } from './AttachmentPicker';
import { Composer } from './Composer';
import { useAttachmentUploads } from './useAttachmentUploads';

/**
 * Uploads go through XMLHttpRequest (fetch reports no upload progress), so the tests replace it
 * with this scripted double: each `send` is recorded, and the test decides progress and answer.
 */
class FakeXhr {
  static sent: FakeXhr[] = [];
  method = '';
  url = '';
  withCredentials = false;
  status = 0;
  responseText = '';
  body: FormData | null = null;
  aborted = false;
  upload: { onprogress: ((e: ProgressEvent) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader() {}
  send(body: FormData) {
    this.body = body;
    FakeXhr.sent.push(this);
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  progress(loaded: number, total: number) {
    act(() => this.upload.onprogress?.({ lengthComputable: true, loaded, total } as ProgressEvent));
  }
  /** The answer settles a promise: awaited inside act so React sees the state it sets. */
  async respond(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    await act(async () => this.onload?.());
  }
  get file(): File {
    return this.body!.get('file') as File;
  }
}

const me = { id: '00000000-0000-4000-8000-0000000000a1', name: 'Alice Agent', email: 'alice@desk.test', role: 'agent', availability: 'online', capacity: 10, teamIds: [] };
const uploadedId = (n: number) => `00000000-0000-4000-8000-00000000f${String(n).padStart(3, '0')}`;

function Probe() {
  const uploads = useAttachmentUploads();
  return (
    <>
      <AttachmentPicker uploads={uploads} />
      <div data-testid="ids">{uploads.ids.join(',')}</div>
      <div data-testid="busy">{String(uploads.busy)}</div>
    </>
  );
}

const file = (name: string, size: number, type = 'application/pdf') => new File([new Uint8Array(size)], name, { type });

describe('AttachmentPicker', () => {
  beforeEach(() => {
    FakeXhr.sent = [];
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('uploads each picked file as multipart field "file", shows progress and size, and hands over the ids', async () => {
    mockFetch({});
    renderAt('/p', [{ path: '/p', element: <Probe /> }]);
    const user = userEvent.setup();
    await user.upload(screen.getByTestId('attachment-input'), [file('invoice.pdf', 2048), file('photo.png', 3 * 1024 * 1024, 'image/png')]);

    expect(FakeXhr.sent).toHaveLength(2);
    expect(FakeXhr.sent.map((x) => [x.method, x.url, x.withCredentials])).toEqual([
      ['POST', '/api/attachments', true],
      ['POST', '/api/attachments', true],
    ]);
    expect(FakeXhr.sent[0]!.file.name).toBe('invoice.pdf');
    expect(FakeXhr.sent[1]!.file.size).toBe(3 * 1024 * 1024);

    const items = screen.getAllByTestId('attachment-item');
    expect(within(items[0]!).getByTestId('attachment-size')).toHaveTextContent('2.0 KB');
    expect(within(items[1]!).getByTestId('attachment-size')).toHaveTextContent('3.0 MB');
    expect(screen.getByTestId('busy')).toHaveTextContent('true');

    FakeXhr.sent[1]!.progress(1024 * 1024, 3 * 1024 * 1024);
    expect(within(items[1]!).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '33');

    await FakeXhr.sent[0]!.respond(201, { id: uploadedId(1), filename: 'invoice.pdf', contentType: 'application/pdf', sizeBytes: 2048 });
    expect(screen.getByTestId('ids')).toHaveTextContent(uploadedId(1));
    expect(screen.getByTestId('busy')).toHaveTextContent('true');
    await FakeXhr.sent[1]!.respond(201, { id: uploadedId(2), filename: 'photo.png', contentType: 'image/png', sizeBytes: 3 * 1024 * 1024 });
    expect(screen.getByTestId('ids')).toHaveTextContent(`${uploadedId(1)},${uploadedId(2)}`);
    expect(screen.getByTestId('busy')).toHaveTextContent('false');
    expect(screen.queryByTestId('attachment-progress')).not.toBeInTheDocument();
  });

  it('removes a finished file before sending, and cancels one still uploading', async () => {
    mockFetch({});
    renderAt('/p', [{ path: '/p', element: <Probe /> }]);
    const user = userEvent.setup();
    await user.upload(screen.getByTestId('attachment-input'), [file('a.pdf', 10), file('b.pdf', 20)]);
    await FakeXhr.sent[0]!.respond(201, { id: uploadedId(3), filename: 'a.pdf', contentType: 'application/pdf', sizeBytes: 10 });
    expect(screen.getByTestId('ids')).toHaveTextContent(uploadedId(3));

    await user.click(screen.getByRole('button', { name: 'Remove a.pdf' }));
    expect(screen.getByTestId('ids')).toBeEmptyDOMElement();
    await user.click(screen.getByRole('button', { name: 'Remove b.pdf' }));
    expect(FakeXhr.sent[1]!.aborted).toBe(true);
    expect(screen.queryAllByTestId('attachment-item')).toHaveLength(0);
    expect(screen.getByTestId('busy')).toHaveTextContent('false');
  });

  it("shows the server's refusal on the file and leaves it out of the ids", async () => {
    mockFetch({});
    renderAt('/p', [{ path: '/p', element: <Probe /> }]);
    const user = userEvent.setup();
    await user.upload(screen.getByTestId('attachment-input'), [file('huge.zip', 4096, 'application/zip')]);
    await FakeXhr.sent[0]!.respond(413, { statusCode: 413, error: 'Payload Too Large', message: 'file: must be at most 10485760 bytes', fields: [{ path: 'file', message: 'must be at most 10485760 bytes' }] });
    expect(screen.getByTestId('attachment-error')).toHaveTextContent('file: must be at most 10485760 bytes');
    expect(screen.getByTestId('attachment-item')).toHaveAttribute('data-status', 'error');
    expect(screen.getByTestId('ids')).toBeEmptyDOMElement();
  });
});

describe('Composer with attachments', () => {
  beforeEach(() => {
    FakeXhr.sent = [];
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
  });
  afterEach(() => vi.unstubAllGlobals());

  function routes(thread: ThreadDetail, sent = message({ threadId: thread.id, direction: 'outbound' })) {
    return mockFetch({
      'GET /api/auth/me': () => jsonResponse(200, me),
      [`GET /api/threads/${thread.id}/messages`]: () => jsonResponse(200, { items: [], nextCursor: null }),
      'GET /api/agents': () => jsonResponse(200, []),
      'GET /api/inboxes': () => jsonResponse(200, []),
      'GET /api/canned-replies': () => jsonResponse(200, []),
      [`POST /api/threads/${thread.id}/messages`]: () => jsonResponse(201, sent),
    });
  }

  it('holds Send while a file uploads, then sends its id in attachmentIds and empties the picker', async () => {
    const thread = threadDetail({ channel: 'email', version: 3 });
    const { calls } = routes(thread);
    renderAt('/t', [{ path: '/t', element: <Composer thread={thread} /> }]);
    const user = userEvent.setup();
    await user.type(screen.getByTestId('composer-body'), 'Invoice attached');
    await user.upload(screen.getByTestId('attachment-input'), [file('invoice.pdf', 100)]);
    expect(screen.getByTestId('composer-send')).toBeDisabled();

    await FakeXhr.sent[0]!.respond(201, { id: uploadedId(9), filename: 'invoice.pdf', contentType: 'application/pdf', sizeBytes: 100 });
    await waitFor(() => expect(screen.getByTestId('composer-send')).toBeEnabled());
    await user.click(screen.getByTestId('composer-send'));

    await waitFor(() => expect(calls.filter((c) => c.init?.method === 'POST')).toHaveLength(1));
    const body = JSON.parse(String(calls.find((c) => c.init?.method === 'POST')!.init!.body));
    expect(body).toMatchObject({ kind: 'reply', body: 'Invoice attached', attachmentIds: [uploadedId(9)] });
    await waitFor(() => expect(screen.queryAllByTestId('attachment-item')).toHaveLength(0));
  });

  it('offers files for notes but not for an X reply', async () => {
    const thread = threadDetail({ channel: 'x' });
    routes(thread);
    renderAt('/t', [{ path: '/t', element: <Composer thread={thread} /> }]);
    const user = userEvent.setup();
    expect(screen.queryByTestId('attachment-picker')).not.toBeInTheDocument();
    await user.click(screen.getByText('Internal note'));
    expect(screen.getByTestId('attachment-picker')).toBeInTheDocument();
  });
});
