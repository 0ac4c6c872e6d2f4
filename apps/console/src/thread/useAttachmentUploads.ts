import { MAX_MESSAGE_ATTACHMENTS, MAX_MESSAGE_ATTACHMENT_TOTAL_BYTES, type UploadedAttachment } from '@desk/contracts';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api/endpoints';

export interface PendingUpload {
  /** Local key: the server id exists only once the upload finished. */
  key: string;
  name: string;
  size: number;
  /** 0..100 while uploading. */
  progress: number;
  status: 'uploading' | 'done' | 'error';
  error: string | null;
  uploaded: UploadedAttachment | null;
}

export interface AttachmentUploads {
  items: PendingUpload[];
  /** Ids of finished uploads, in the order they were picked: the request's `attachmentIds`. */
  ids: string[];
  /** Some file is still on its way: sending now would leave it behind. */
  busy: boolean;
  /** Why the set cannot be sent as it is (too many files, too large together), or null. */
  problem: string | null;
  add: (files: File[]) => void;
  /** Drops one file before sending; an upload in flight is cancelled. */
  remove: (key: string) => void;
  /** After a send: the files now belong to the message. */
  clear: () => void;
}

let counter = 0;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * The files of one draft: each picked file uploads at once (POST /api/attachments) with its
 * progress, and the finished ones' ids go with the reply or note. Uploads left behind by a
 * discarded draft are swept by the server after a day.
 */
export function useAttachmentUploads(): AttachmentUploads {
  const [items, setItems] = useState<PendingUpload[]>([]);
  const controllers = useRef(new Map<string, AbortController>());

  useEffect(() => {
    const inFlight = controllers.current;
    return () => {
      for (const c of inFlight.values()) c.abort();
      inFlight.clear();
    };
  }, []);

  const patch = useCallback((key: string, change: Partial<PendingUpload>) => {
    setItems((list) => list.map((it) => (it.key === key ? { ...it, ...change } : it)));
  }, []);

  const add = useCallback(
    (files: File[]) => {
      for (const file of files) {
        counter += 1;
        const key = `upload-${counter}`;
        const controller = new AbortController();
        controllers.current.set(key, controller);
        setItems((list) => [...list, { key, name: file.name, size: file.size, progress: 0, status: 'uploading', error: null, uploaded: null }]);
        api
          .uploadAttachment(file, {
            signal: controller.signal,
            onProgress: (loaded, total) => patch(key, { progress: total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : 0 }),
          })
          .then(
            (uploaded) => patch(key, { status: 'done', progress: 100, uploaded }),
            (e: unknown) => {
              if (e instanceof DOMException && e.name === 'AbortError') return;
              patch(key, { status: 'error', error: e instanceof Error ? e.message : 'Upload failed' });
            },
          )
          .finally(() => controllers.current.delete(key));
      }
    },
    [patch],
  );

  const remove = useCallback((key: string) => {
    controllers.current.get(key)?.abort();
    controllers.current.delete(key);
    setItems((list) => list.filter((it) => it.key !== key));
  }, []);

  const clear = useCallback(() => {
    for (const c of controllers.current.values()) c.abort();
    controllers.current.clear();
    setItems([]);
  }, []);

  return useMemo(() => {
    const done = items.flatMap((it) => (it.status === 'done' && it.uploaded ? [it.uploaded] : []));
    const total = done.reduce((sum, it) => sum + it.sizeBytes, 0);
    const problem =
      done.length > MAX_MESSAGE_ATTACHMENTS
        ? `At most ${MAX_MESSAGE_ATTACHMENTS} files per message.`
        : total > MAX_MESSAGE_ATTACHMENT_TOTAL_BYTES
          ? `The files add up to ${formatBytes(total)}; a message may carry at most ${formatBytes(MAX_MESSAGE_ATTACHMENT_TOTAL_BYTES)}.`
          : null;
    return {
      items,
      ids: done.map((it) => it.id),
      busy: items.some((it) => it.status === 'uploading'),
      problem,
      add,
      remove,
      clear,
    };
  }, [items, add, remove, clear]);
}
