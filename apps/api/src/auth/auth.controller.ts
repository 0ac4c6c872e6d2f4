import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import type { Request, Response } from 'express';
import { LoginRequest, type Me } from '@desk/contracts';
import { AuthService, SESSION_COOKIE, type AppConfig, APP_CONFIG, type SessionPrincipal } from '@desk/core';
import { Inject } from '@nestjs/common';
import { CurrentSession, MinRole, Public } from './access.decorators';
import { toMe } from './me';

class LoginDto extends createZodDto(LoginRequest) {}

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<Me> {
    const { token, expiresAt, agent } = await this.auth.login(body.email, body.password, {
      ip: req.ip ?? null,
      userAgent: req.get('user-agent') ?? null,
    });
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.COOKIE_SECURE,
      expires: expiresAt,
      path: '/',
    });
    return toMe(agent);
  }

  @MinRole('agent')
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentSession() s: SessionPrincipal, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.auth.logout(s);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @MinRole('agent')
  @Get('me')
  me(@CurrentSession() s: SessionPrincipal): Me {
    return toMe(s.agent);
  }
}
