import { Body, Controller, Get, Header, Headers, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { WebformService, type WebformInboxView, type WebformSubmitResult } from '@desk/core';
import { Public } from '../auth/access.decorators';

/**
 * Public web forms (issue 4): the hosted page, the embed script and the post. JSON callers get
 * JSON (201 {threadNumber, eventId}, 400 naming the field); classic form posts (urlencoded, or
 * Accept: text/html) get the re-rendered page with its errors or the thanks page. Bodies over
 * 64 KB are refused by the parser mounted in app.factory. 202 when the thread number is not known
 * within the wait (the worker then finishes the event).
 */
@ApiTags('public')
@Public()
@Controller('public/forms')
export class PublicFormsController {
  constructor(private readonly forms: WebformService) {}

  @Get(':inboxId')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async page(@Param('inboxId', ParseUUIDPipe) inboxId: string): Promise<string> {
    const view = await this.forms.inbox(inboxId);
    return this.forms.renderPage(view);
  }

  @Get(':inboxId/embed.js')
  @Header('Content-Type', 'application/javascript; charset=utf-8')
  async embed(@Param('inboxId', ParseUUIDPipe) inboxId: string): Promise<string> {
    const view = await this.forms.inbox(inboxId);
    return this.forms.renderEmbed(view);
  }

  @Post(':inboxId')
  async submit(
    @Param('inboxId', ParseUUIDPipe) inboxId: string,
    @Body() body: unknown,
    @Headers('origin') origin: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const view = await this.forms.inbox(inboxId);
    const values = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const result = await this.forms.submit(view, values, { ip: req.ip ?? null, origin: origin ?? null });
    // an allowed cross-origin page (the embed script) may read the answer
    if (origin && this.forms.originAllowed(view, origin)) res.setHeader('Access-Control-Allow-Origin', origin).setHeader('Vary', 'Origin');
    this.answer(req, res, view, values, result);
  }

  private answer(req: Request, res: Response, view: WebformInboxView, values: Record<string, unknown>, result: WebformSubmitResult): void {
    const html = wantsHtml(req);
    if (result.kind === 'invalid') {
      if (html) {
        res.status(400).type('html').send(this.forms.renderPage(view, values, result.errors));
        return;
      }
      const fields = result.errors.map((e) => ({ path: e.field, message: e.message }));
      // `fields` is the desk's error shape; `errors` ({field, message}) is what the embed script reads
      res.status(400).json({ statusCode: 400, error: 'Bad Request', message: fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields, errors: result.errors });
      return;
    }
    const status = result.threadNumber === null ? 202 : 201;
    if (html) {
      res.status(status).type('html').send(result.threadNumber === null ? RECEIVED_PAGE : this.forms.renderThanks(result.threadNumber));
      return;
    }
    res.status(status).json({ threadNumber: result.threadNumber, eventId: result.eventId });
  }
}

const RECEIVED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Thank you</title></head>
<body><main><h1>Thank you</h1><p role="status">We received your message and will answer by email.</p></main></body></html>`;

/** A classic form post or a browser asking for a page gets HTML; JSON callers get JSON. */
function wantsHtml(req: Request): boolean {
  if (req.is('application/json')) return false;
  if (req.is('application/x-www-form-urlencoded')) return !(req.get('accept') ?? '').includes('application/json');
  return (req.get('accept') ?? '').includes('text/html');
}
