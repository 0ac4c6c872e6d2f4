import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { SurveyLinkError, SurveyService } from '@desk/core';
import { Public } from '../auth/access.decorators';

const TRUE = new Set(['on', 'true', '1', 'yes']);

/**
 * The satisfaction survey's hosted page (issue 4): the signed link is the only credential. A
 * forged link answers 400, an expired one 410, both as a page (or JSON to JSON callers).
 */
@ApiTags('public')
@Public()
@Controller('public/survey')
export class PublicSurveyController {
  constructor(private readonly survey: SurveyService) {}

  @Get(':token')
  async page(@Param('token') token: string, @Res() res: Response): Promise<void> {
    try {
      res.status(200).type('html').send(await this.survey.page(token));
    } catch (e) {
      if (e instanceof SurveyLinkError) res.status(e.getStatus()).type('html').send(e.page);
      else throw e;
    }
  }

  @Post(':token')
  async answer(@Param('token') token: string, @Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const json = req.is('application/json') === 'application/json' || (!req.is('application/x-www-form-urlencoded') && !(req.get('accept') ?? '').includes('text/html'));
    const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const score = Number(b.score);
    const rawContact = b.contactMe ?? b.contact_me;
    const contactMe = rawContact === true || (typeof rawContact === 'string' && TRUE.has(rawContact.toLowerCase()));
    const comment = typeof b.comment === 'string' && b.comment.trim() ? b.comment.trim().slice(0, 5000) : null;
    try {
      if (!Number.isInteger(score) || score < 1 || score > 5) {
        await this.survey.page(token); // a bad link still answers 400/410 first
        const message = 'score: must be a whole number from 1 to 5';
        if (json) res.status(400).json({ statusCode: 400, error: 'Bad Request', message, fields: [{ path: 'score', message: 'must be a whole number from 1 to 5' }] });
        else res.status(400).type('html').send(await this.survey.page(token));
        return;
      }
      const result = await this.survey.answer(token, { score, contactMe, comment });
      if (json) res.status(201).json(result);
      else res.status(201).type('html').send(this.survey.renderThanks(result.reopened));
    } catch (e) {
      if (!(e instanceof SurveyLinkError)) throw e;
      if (json) res.status(e.getStatus()).json({ statusCode: e.getStatus(), error: e.getStatus() === 410 ? 'Gone' : 'Bad Request', message: (e.getResponse() as { message: string }).message });
      else res.status(e.getStatus()).type('html').send(e.page);
    }
  }
}
