import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { ZodValidationException } from 'nestjs-zod';
import { ZodError } from 'zod';
import type { ErrorBody } from '@desk/contracts';

/**
 * Every error leaves as { statusCode, error, message, fields? }. Validation errors name each failing
 * field ("email: Invalid email address"); unexpected errors are logged and answered without detail.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.log.error(exception instanceof Error ? exception.stack : String(exception));
    const retryAfter = exception instanceof HttpException ? (exception.getResponse() as { retryAfter?: number }).retryAfter : undefined;
    if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
    res.status(body.statusCode).json(body);
  }

  private toBody(e: unknown): ErrorBody {
    if (e instanceof ZodValidationException) {
      const zerr = e.getZodError() as ZodError;
      const fields = zerr.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
      return {
        statusCode: 400,
        error: 'Bad Request',
        message: fields.map((f) => `${f.path}: ${f.message}`).join('; '),
        fields,
      };
    }
    if (e instanceof HttpException) {
      const status = e.getStatus();
      const r = e.getResponse();
      const message =
        typeof r === 'string' ? r : Array.isArray((r as { message?: unknown }).message) ? ((r as { message: string[] }).message).join('; ') : String((r as { message?: unknown }).message ?? e.message);
      return { ...details(r), statusCode: status, error: statusText(status), message };
    }
    return { statusCode: 500, error: 'Internal Server Error', message: 'internal error' };
  }
}

/**
 * Extra fields a service put in its exception on purpose (e.g. the 409 of a reply lists
 * `newMessages`); Nest's own keys and the Retry-After hint are not repeated.
 */
function details(r: string | object): Record<string, unknown> {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return {};
  const { statusCode: _s, error: _e, message: _m, retryAfter: _r, ...rest } = r as Record<string, unknown>;
  return rest;
}

function statusText(status: number): string {
  const map: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    422: 'Unprocessable Entity',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    429: 'Too Many Requests',
  };
  return map[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error');
}
