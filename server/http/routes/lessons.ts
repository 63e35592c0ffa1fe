import { Router } from 'express';
import type { RoomRegistry } from '../../../sfu/index.ts';
import type { TokenService } from '../../auth/tokens.ts';
import { LessonIdParams } from '../../contract/schemas.ts';
import { InvalidStateError } from '../../errors.ts';
import type { LessonService } from '../../lessons/LessonService.ts';
import { parseInput } from '../../validate.ts';
import { authenticate, identityOf } from '../middleware.ts';

/** Lessons as the studio and the kiosk need them. */
export function lessonRoutes(lessons: LessonService, rooms: RoomRegistry, tokens: TokenService): Router {
  const router = Router();
  router.use(authenticate(tokens));

  router.get('/current', async (_req, res) => {
    res.json(await lessons.current(identityOf(res)));
  });

  router.get('/:id', async (req, res) => {
    const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
    res.json(await lessons.view(identityOf(res), id));
  });

  /** The router's RTP capabilities, which the browser loads before it joins. */
  router.get('/:id/rtp-capabilities', async (req, res) => {
    const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
    const { lesson } = await lessons.participation(identityOf(res), id);
    if (lesson.state !== 'live') throw new InvalidStateError(`lesson is ${lesson.state}, not live`);
    const room = await rooms.getOrCreate(id);
    res.json({ routerRtpCapabilities: room.rtpCapabilities });
  });

  return router;
}
