import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type Response } from 'express';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { StructuredLogger, type AppConfig } from '@desk/core';
import { AppModule } from './app.module';
import { BULL_BOARD_PATH, mountBullBoard } from './admin/bull-board';
import { MetricsService } from './metrics/metrics.service';
import { RealtimeIoAdapterFactory } from './realtime/adapter-factory';

/** Paths the API owns; anything else under GET falls back to the console's index.html. */
const API_PREFIXES = ['/api', '/admin', '/health', '/metrics', '/socket.io', '/public', '/webhooks'];

export function consoleDist(config: AppConfig): string {
  return config.CONSOLE_DIST ? resolve(config.CONSOLE_DIST) : resolve(__dirname, '../../console/dist');
}

/** Builds the whole HTTP app (used by main and by the integration tests). */
export async function createApp(config: AppConfig, opts: { logger?: boolean } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    logger: opts.logger === false ? false : undefined,
    bodyParser: false,
    // throw instead of exiting, so main prints one line and tests see the error
    abortOnError: false,
  });
  app.useLogger(app.get(StructuredLogger));
  app.enableShutdownHooks();
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.disable('x-powered-by');
  app.use(cookieParser());
  // the raw-MIME webhook signs and stores the exact bytes: mounted before the json/urlencoded parsers
  app.use('/webhooks/email', express.raw({ type: () => true, limit: config.MAX_MESSAGE_BYTES }));
  // X and Meta sign the exact bytes of their JSON: raw too, the service parses after checking
  app.use(['/webhooks/x', '/webhooks/meta'], express.raw({ type: () => true, limit: '5mb' }));
  // public web forms take small bodies only (413 above 64 KB); the general parsers below skip a parsed body
  app.use('/public/forms', express.json({ limit: '64kb' }), express.urlencoded({ extended: false, limit: '64kb' }));
  app.use('/public/forms', (err: { type?: string; status?: number }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (err?.type === 'entity.too.large') res.status(413).json({ statusCode: 413, error: 'Payload Too Large', message: 'the form is larger than 64 KB' });
    else if (err?.status === 400) res.status(400).json({ statusCode: 400, error: 'Bad Request', message: '(body): malformed body' });
    else next(err);
  });
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));

  const metrics = app.get(MetricsService);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      end({ route: route ? `${req.baseUrl}${route}` : 'unmatched', status: String(res.statusCode) });
    });
    next();
  });

  app.useWebSocketAdapter(RealtimeIoAdapterFactory.create(app, config));
  mountBullBoard(app);

  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Desk API')
      .setDescription('REST API of the support desk. Authenticate with POST /api/auth/login; the session cookie does the rest.')
      .setVersion('0.1.0')
      .addCookieAuth('desk_session')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, cleanupOpenApiDoc(doc), { jsonDocumentUrl: 'api/docs/openapi.json' });

  const dist = consoleDist(config);
  if (existsSync(join(dist, 'index.html'))) {
    const isApi = (path: string) => API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
    // express middleware runs before Nest's routes: without this check every API request paid a
    // file-system lookup in the console's dist first
    const assets = express.static(dist, { index: false, maxAge: '1h' });
    app.use((req: Request, res: Response, next: NextFunction) => (isApi(req.path) ? next() : assets(req, res, next)));
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || isApi(req.path)) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(dist, 'index.html'));
    });
  }
  void BULL_BOARD_PATH;
  return app;
}
