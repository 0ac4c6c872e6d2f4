import { BadRequestException, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, Res, StreamableFile, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { UploadedAttachment } from '@desk/contracts';
import { AttachmentsService, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';
import { viewerOf } from '../auth/me';
import { AttachmentUploadInterceptor, UPLOAD_FIELD, type StoredUpload } from './attachment-upload';

/**
 * Agents' files: upload one (multipart/form-data, field `file`) before sending the reply or note
 * that lists its id in `attachmentIds`; download any attachment of a message, inbound or outbound.
 */
@ApiTags('attachments')
@MinRole('agent')
@Controller('api/attachments')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post()
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: [UPLOAD_FIELD], properties: { [UPLOAD_FIELD]: { type: 'string', format: 'binary' } } } })
  @UseInterceptors(AttachmentUploadInterceptor)
  upload(@Req() req: Request & { file?: StoredUpload }): UploadedAttachment {
    const uploaded = req.file?.uploaded;
    if (!uploaded) throw new BadRequestException({ message: `${UPLOAD_FIELD}: required (multipart/form-data)`, fields: [{ path: UPLOAD_FIELD, message: 'required (multipart/form-data)' }] });
    return uploaded;
  }

  /**
   * The bytes, always as a download: the type is the sender's claim, so the browser must neither
   * render nor sniff it.
   */
  @Get(':id')
  async download(@Param('id', ParseUUIDPipe) id: string, @CurrentSession() s: SessionPrincipal, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const { attachment, content } = await this.attachments.open(id, viewerOf(s));
    res.attachment(attachment.filename);
    res.setHeader('Content-Type', attachment.contentType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'private, no-store');
    return new StreamableFile(content, { length: attachment.sizeBytes });
  }
}
