import { ErrorBody } from '@desk/contracts';
import type { z } from 'zod';
import { ApiError } from './client';

export interface UploadOptions {
  /** Bytes sent so far and the total, as the browser reports them. */
  onProgress?: (loaded: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * POSTs one file as multipart/form-data (field `file`) with the session cookie. XMLHttpRequest,
 * not fetch: only it reports upload progress. Errors surface as ApiError like `request`'s; an
 * abort rejects with an AbortError DOMException.
 */
export function uploadFile<S extends z.ZodType>(path: string, file: File, schema: S, options: UploadOptions = {}): Promise<z.infer<S>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    const settle = () => options.signal?.removeEventListener('abort', onAbort);
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e: ProgressEvent) => {
      if (e.lengthComputable) options.onProgress?.(e.loaded, e.total);
    };
    xhr.onload = () => {
      settle();
      let json: unknown = null;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        // not JSON (a proxy's error page): the fallback message below says enough
      }
      if (xhr.status < 200 || xhr.status >= 300) {
        const body = ErrorBody.safeParse(json);
        const fallback = xhr.status === 413 ? 'The file is too large.' : `Upload failed (${xhr.status})`;
        reject(new ApiError(xhr.status, body.success ? body.data.message : fallback, body.success ? body.data : null, json));
        return;
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        reject(new ApiError(xhr.status, 'The server sent an answer the console does not understand.'));
        return;
      }
      resolve(parsed.data);
    };
    xhr.onerror = () => {
      settle();
      reject(new ApiError(0, 'Cannot reach the server. Check your connection.'));
    };
    xhr.onabort = () => {
      settle();
      reject(new DOMException('upload cancelled', 'AbortError'));
    };
    if (options.signal?.aborted) {
      reject(new DOMException('upload cancelled', 'AbortError'));
      return;
    }
    options.signal?.addEventListener('abort', onAbort);
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}
