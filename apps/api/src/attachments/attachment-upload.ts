import {
  BadRequestException,
  HttpException,
  Inject,
  Injectable,
  PayloadTooLargeException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import type { Readable } from 'node:stream';
import type { UploadedAttachment } from '@desk/contracts';
import { APP_CONFIG, AttachmentsService, type AppConfig, type SessionPrincipal } from '@desk/core';
import { viewerOf } from '../auth/me';

/** The multipart field that carries the file. */
export const UPLOAD_FIELD = 'file';

/** What multer hands a storage engine (multer ships no types of its own). */
interface IncomingFile {
  fieldname: string;
  originalname: string;
  mimetype: string;
  stream: Readable;
}

/** The upload as the handler finds it on `req.file`. */
export interface StoredUpload {
  uploaded?: UploadedAttachment;
}

type Callback = (err: unknown, info?: StoredUpload) => void;

/**
 * Browsers send the filename's UTF-8 bytes, which busboy (under multer) reads as latin1; undo that
 * when the bytes are valid UTF-8. Then no path, no control characters, at most 255 characters.
 */
export function uploadFilename(raw: string): string {
  const bytes = Buffer.from(raw, 'latin1');
  const utf8 = bytes.toString('utf8');
  const beyondLatin1 = [...raw].some((c) => c.charCodeAt(0) > 0xff);
  const decoded = beyondLatin1 || utf8.includes('\uFFFD') ? raw : utf8;
  const base = decoded.split(/[\\/]/).pop() ?? '';
  const printable = [...base].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).join('');
  const name = printable.trim().slice(0, 255);
  return name || 'attachment';
}

/** The declared type if it looks like one (`type/subtype`), else the neutral binary type. */
export function uploadContentType(raw: string | undefined): string {
  const base = (raw ?? '').split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(base) ? base : 'application/octet-stream';
}

/**
 * A multer storage engine that streams the part straight into the file store through
 * AttachmentsService (never buffering the file) and records the upload. It runs after the access
 * guard, so the signed-in agent is on the request.
 */
class AttachmentStorage {
  constructor(private readonly attachments: AttachmentsService) {}

  _handleFile(req: Request & { principal?: SessionPrincipal }, file: IncomingFile, cb: Callback): void {
    if (!req.principal) return cb(new BadRequestException('sign in first'));
    this.attachments
      .upload(file.stream, { filename: uploadFilename(file.originalname), contentType: uploadContentType(file.mimetype) }, viewerOf(req.principal))
      .then(
        (uploaded) => cb(null, { uploaded }),
        (e: unknown) => cb(e),
      );
  }

  /** multer calls this for files already stored when the request fails afterwards. */
  _removeFile(_req: Request, file: StoredUpload, cb: (err: Error | null) => void): void {
    if (!file.uploaded) return cb(null);
    this.attachments.discardUpload(file.uploaded.id).then(
      () => cb(null),
      (e: Error) => cb(e),
    );
  }
}

const fileError = (Ex: typeof BadRequestException | typeof PayloadTooLargeException, message: string) =>
  new Ex({ message: `${UPLOAD_FIELD}: ${message}`, fields: [{ path: UPLOAD_FIELD, message }] });

/**
 * Nest's FileInterceptor (multer) with our storage engine and limits: one file in field `file`,
 * at most MAX_ATTACHMENT_BYTES. multer's own errors are re-worded to name the field.
 */
@Injectable()
export class AttachmentUploadInterceptor implements NestInterceptor {
  private readonly inner: NestInterceptor;
  private readonly max: number;

  constructor(attachments: AttachmentsService, @Inject(APP_CONFIG) config: AppConfig) {
    this.max = config.MAX_ATTACHMENT_BYTES;
    const Multer = FileInterceptor(UPLOAD_FIELD);
    this.inner = new Multer({
      storage: new AttachmentStorage(attachments),
      // one byte over the limit lets busboy stop the part; the store refuses it before keeping anything
      limits: { fileSize: this.max + 1, files: 1, fields: 10, parts: 11 },
    });
  }

  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    try {
      return await this.inner.intercept(ctx, next);
    } catch (e) {
      throw this.reword(e);
    }
  }

  private reword(e: unknown): unknown {
    if (!(e instanceof HttpException)) return e;
    const r = e.getResponse() as { fields?: unknown } | string;
    if (typeof r === 'object' && r.fields) return e; // ours already names the field
    if (e instanceof PayloadTooLargeException) return fileError(PayloadTooLargeException, `must be at most ${this.max} bytes`);
    if (e instanceof BadRequestException) {
      const why = e.message;
      if (/Unexpected field/i.test(why)) return fileError(BadRequestException, `send the file in the multipart field "${UPLOAD_FIELD}"`);
      if (/Too many files/i.test(why)) return fileError(BadRequestException, 'one file per request');
      return fileError(BadRequestException, why);
    }
    return e;
  }
}
