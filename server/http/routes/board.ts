import express, { Router } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../../auth/Authenticator.ts';
import type { BoardService } from '../../board/BoardService.ts';
import { MAX_PAGES } from '../../contract/board.ts';
import { LessonIdParams, ObjectIdSchema } from '../../contract/schemas.ts';
import { ForbiddenError, InvalidStateError, NotFoundError, ValidationError } from '../../errors.ts';
import type { LessonService } from '../../lessons/LessonService.ts';
import type { Identity } from '../../auth/tokens.ts';
import type { Models } from '../../models/index.ts';
import type { ResearchService } from '../../research/ResearchService.ts';
import { parseInput } from '../../validate.ts';
import { allowRoles, authenticate, identityOf } from '../middleware.ts';
import type { RouteTable } from '../RouteTable.ts';

/** Largest courseware image (a 1600-px page as JPEG is ~200 kB; a photo may be more). */
const MAX_ASSET_BYTES = 8 * 1024 * 1024;
/** Courseware images one lesson may hold (twice the pages a board may have: room for re-imports). */
const MAX_ASSETS_PER_LESSON = 2 * MAX_PAGES;
/**
 * Bytes of courseware one lesson may hold: a 60-page deck rendered at 1600 px is ~15 MB, so
 * this leaves room for photos and re-imports while one teacher cannot fill the database.
 */
export const MAX_ASSET_BYTES_PER_LESSON = 200 * 1024 * 1024;
const AssetParams = z.object({
  id: LessonIdParams.shape.id,
  assetId: ObjectIdSchema,
});
const AssetQuery = z.object({
  width: z.coerce.number().int().min(1).max(8000),
  height: z.coerce.number().int().min(1).max(8000),
});

/** The image type by its first bytes (what the browser sent must be what it says). */
function sniffImage(data: Buffer): 'image/jpeg' | 'image/png' | 'image/webp' | null {
  if (data.length > 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (
    data.length > 8 &&
    data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  )
    return 'image/png';
  if (
    data.length > 12 &&
    data.toString('latin1', 0, 4) === 'RIFF' &&
    data.toString('latin1', 8, 12) === 'WEBP'
  )
    return 'image/webp';
  return null;
}

/**
 * A lesson's board outside the live socket: courseware images, and the log for replay. A
 * research session (网络教研) has the same board, keyed by the session's id, so `:id` is a
 * lesson's or a research session's: its leading teacher uploads, and whoever may see the
 * session reads (the library's player replays a research session's board through these too).
 */
export function boardRoutes(
  models: Models,
  lessons: LessonService,
  research: ResearchService,
  boards: BoardService,
  auth: Authenticator,
  table: RouteTable,
): Router {
  const router = Router();
  const mount = '/api/lessons';
  /** Whether `id` names a lesson (else it may be a research session's board). */
  const isLesson = async (id: string): Promise<boolean> => !!(await models.Lesson.exists({ _id: id }));
  /** 404 unless the caller may see the lesson or research session `id`. */
  const mayView = async (identity: Identity, id: string): Promise<void> => {
    if (await isLesson(id)) await lessons.view(identity, id);
    else await research.view(identity, id);
  };
  /** Refuses anyone but the lesson's teacher, or the research session's leading teacher, while it is not over. */
  const mayUpload = async (identity: Identity, id: string): Promise<void> => {
    if (await isLesson(id)) {
      const { lesson, as } = await lessons.participation(identity, id);
      if (as.role !== 'teacher') throw new ForbiddenError('only the lesson’s teacher uploads courseware');
      if (lesson.state === 'ended') throw new InvalidStateError('the lesson has ended');
      return;
    }
    const seat = await research.boardSeat(identity, id);
    if (seat.by.role !== 'teacher')
      throw new ForbiddenError('only the session’s leading teacher uploads courseware');
  };

  table.add(
    router,
    mount,
    {
      method: 'post',
      path: '/:id/board/assets',
      summary: 'Upload a courseware page image (JPEG, PNG or WebP) to the lesson’s board; teacher only',
      tag: 'Board',
      access: { kind: 'roles', roles: ['teacher'], scoped: true },
      params: LessonIdParams,
      query: AssetQuery,
      rawBody: 'image/jpeg',
      status: 201,
    },
    authenticate(auth),
    allowRoles('teacher'),
    express.raw({ type: () => true, limit: MAX_ASSET_BYTES }),
    async (req, res) => {
      const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
      const { width, height } = parseInput(AssetQuery, req.query, 'query');
      const identity = identityOf(res);
      await mayUpload(identity, id);
      if ((await models.BoardAsset.countDocuments({ lessonId: id })) >= MAX_ASSETS_PER_LESSON)
        throw new InvalidStateError(`a lesson's board holds at most ${MAX_ASSETS_PER_LESSON} images`);
      const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const mediaType = sniffImage(data);
      if (!mediaType) throw new ValidationError('send a JPEG, PNG or WebP image as the request body');
      const held = await models.BoardAsset.find({ lessonId: id }, { bytes: 1 }).lean();
      const used = held.reduce((sum, a) => sum + (a.bytes ?? 0), 0);
      if (used + data.length > MAX_ASSET_BYTES_PER_LESSON)
        throw new InvalidStateError(
          `a lesson's board holds at most ${MAX_ASSET_BYTES_PER_LESSON / 1024 / 1024} MB of images ` +
            `(${Math.round(used / 1024 / 1024)} MB used)`,
        );
      const asset = await models.BoardAsset.create({
        lessonId: id,
        mediaType,
        width,
        height,
        data,
        bytes: data.length,
        createdAt: new Date(),
        createdBy: identity.userId,
      });
      res.status(201).json({ assetId: asset._id.toString(), mediaType, bytes: data.length });
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'get',
      path: '/:id/board/assets/:assetId',
      summary: 'A courseware image of the lesson’s board (for whoever may see the lesson)',
      tag: 'Board',
      access: { kind: 'authenticated' },
      params: AssetParams,
    },
    authenticate(auth),
    async (req, res) => {
      const { id, assetId } = parseInput(AssetParams, req.params, 'path');
      await mayView(identityOf(res), id);
      // Not lean: the document gives the bytes as a Buffer (lean gives BSON's Binary).
      const asset = await models.BoardAsset.findOne({ _id: assetId, lessonId: id });
      if (!asset) throw new NotFoundError(`image ${assetId} not found`);
      res.setHeader('Content-Type', asset.mediaType);
      // Assets never change: kiosks on thin links fetch each page once.
      res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
      res.end(asset.data);
    },
  );

  table.add(
    router,
    mount,
    {
      method: 'get',
      path: '/:id/board',
      summary: 'The lesson board’s sequenced changes, in order (to replay the board afterwards)',
      tag: 'Board',
      access: { kind: 'authenticated' },
      params: LessonIdParams,
    },
    authenticate(auth),
    async (req, res) => {
      const { id } = parseInput(LessonIdParams, req.params, 'lesson id');
      await mayView(identityOf(res), id);
      res.json({ ops: await boards.history(id) });
    },
  );

  return router;
}
