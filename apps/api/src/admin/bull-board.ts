import type { INestApplication } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import { AuthService, QUEUES, SESSION_COOKIE, type Queues } from '@desk/core';

export const BULL_BOARD_PATH = '/admin/queues';

/** Bull Board for admins only; it is plain express, so it checks the session itself. */
export function mountBullBoard(app: INestApplication): void {
  const queues = app.get<Queues>(QUEUES);
  const auth = app.get(AuthService);
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: Object.values(queues).map((q) => new BullMQAdapter(q)), serverAdapter: adapter });

  const adminOnly = async (req: Request, res: Response, next: NextFunction) => {
    const principal = await auth.authenticate(req.cookies?.[SESSION_COOKIE] as string | undefined).catch(() => null);
    if (!principal) return res.status(401).json({ statusCode: 401, error: 'Unauthorized', message: 'sign in first' });
    if (principal.agent.role !== 'admin') return res.status(403).json({ statusCode: 403, error: 'Forbidden', message: 'requires the admin role' });
    next();
  };
  app.use(BULL_BOARD_PATH, adminOnly, adapter.getRouter());
}
