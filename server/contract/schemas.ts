/**
 * zod schemas for every input from outside: REST bodies and socket payloads. The
 * `satisfies` and `Assert<Same<…>>` checks keep them in step with the wire types.
 */
import { z } from 'zod';
import type { ClientToServerEvents } from './events.ts';
import type { LoginRequest } from './api.ts';
import type { Assert, Same } from './check.ts';
import { DtlsParametersSchema, RtpCapabilitiesSchema, RtpParametersSchema } from './media.ts';
import {
  BOARD_HEIGHT,
  BOARD_TOOLS,
  BOARD_WIDTH,
  MAX_PAGES,
  MAX_STROKE_COORDS,
  MAX_TEXT_LENGTH,
} from './board.ts';

/** A database id (MongoDB ObjectId) as text: 24 hex characters. */
export const ObjectIdSchema = z.string().regex(/^[0-9a-f]{24}$/i, 'must be a 24-character hex id');
const objectId = ObjectIdSchema;
const mediasoupId = z.string().min(1).max(64);

export const LoginSchema = z.object({
  username: z.string().trim().min(1, 'required').max(64),
  password: z.string().min(1, 'required').max(256),
});

/** A password someone chooses for themselves. */
const newPassword = z
  .string()
  .min(8, 'at least 8 characters')
  .max(128)
  .refine((p) => p.trim().length === p.length, 'no spaces at either end')
  .refine((p) => new Set(p).size >= 4, 'at least 4 different characters');

export const PasswordChangeSchema = z
  .object({
    username: z.string().trim().min(1, 'required').max(64),
    currentPassword: z.string().min(1, 'required').max(256),
    newPassword,
  })
  .refine((b) => b.newPassword !== b.currentPassword, {
    message: 'must differ from the current password',
    path: ['newPassword'],
  })
  .refine((b) => !b.newPassword.toLowerCase().includes(b.username.toLowerCase()), {
    message: 'must not contain the username',
    path: ['newPassword'],
  })
  .meta({
    description:
      'newPassword: 8–128 characters, no spaces at either end, at least 4 different characters, ' +
      'not the current password, not containing the username',
  });

/** Letters and digits that cannot be mistaken for one another on a whiteboard (no 0/O, 1/I). */
export const ENROLMENT_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export const EnrolSchema = z.object({
  code: z
    .string()
    .transform((c) => c.toUpperCase().replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^[A-HJ-NP-Z2-9]{8}$/, 'an 8-character code like K7PQ-4XMR')),
});

export const LessonIdParams = z.object({ id: objectId });

/** A school term, e.g. 2026-2027-1 (the first half of the 2026–2027 school year). */
export const TermId = z.string().regex(/^\d{4}-\d{4}-[12]$/, 'a term like 2026-2027-1');
/** A cluster's timetable for a term (solves, co-plans). */
export const ClusterTermParams = z.object({ clusterId: objectId, term: TermId });
/** A solver run's random seed (the same seed and data give the same timetable). */
export const SolverSeed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31)
  .default(1);

const boardId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, _ or -');
/** Coordinates may stray a board beyond the page (a stroke leaving the edge), pressure is 0–1. */
const coords = (max: number) =>
  z
    .array(
      z
        .number()
        .finite()
        .min(-BOARD_WIDTH)
        .max(2 * BOARD_WIDTH),
    )
    .max(max);
/** At most this many coordinates in one message (a stroke streams in many). */
const COORDS_PER_MESSAGE = 3000;

/** A board change as a participant sends it (lesson boards and research sessions' boards). */
export const BoardChangeSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('draw'),
    id: boardId,
    page: boardId,
    tool: z.enum(BOARD_TOOLS),
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be #rrggbb'),
    width: z.number().finite().min(0.5).max(200),
    points: coords(COORDS_PER_MESSAGE),
    text: z.string().max(MAX_TEXT_LENGTH).optional(),
  }),
  z.object({
    t: z.literal('extend'),
    id: boardId,
    points: coords(COORDS_PER_MESSAGE).refine((p) => p.length > 0, 'no points'),
  }),
  z.object({ t: z.literal('finish'), id: boardId }),
  z.object({ t: z.literal('erase'), ids: z.array(boardId).min(1).max(MAX_STROKE_COORDS) }),
  z.object({ t: z.literal('clear'), page: boardId }),
  z.object({ t: z.literal('undo') }),
  z.object({ t: z.literal('redo') }),
  z.object({
    t: z.literal('addPages'),
    pages: z
      .array(z.object({ id: boardId, background: objectId.nullable() }))
      .min(1)
      .max(MAX_PAGES),
    after: boardId.nullable(),
  }),
  z.object({ t: z.literal('page'), page: boardId }),
  z.object({ t: z.literal('pen'), holder: objectId.nullable() }),
]);

/** A laser pointer position, or null to hide it. */
export const LaserSchema = z
  .object({
    page: boardId,
    x: z.number().finite().min(0).max(BOARD_WIDTH),
    y: z.number().finite().min(0).max(BOARD_HEIGHT),
  })
  .nullable();

export const SocketSchemas = {
  'lesson:join': z.object({ lessonId: objectId, rtpCapabilities: RtpCapabilitiesSchema }),
  'lesson:leave': z.object({ lessonId: objectId }),
  'lesson:start': z.object({ lessonId: objectId }),
  'lesson:end': z.object({ lessonId: objectId }),
  'transport:create': z.object({ lessonId: objectId, direction: z.enum(['send', 'recv']) }),
  'transport:connect': z.object({
    lessonId: objectId,
    transportId: mediasoupId,
    dtlsParameters: DtlsParametersSchema,
  }),
  'transport:restart-ice': z.object({
    lessonId: objectId,
    transportId: mediasoupId,
    // The page's peer when asked from another socket of the same account (see the event).
    peerId: z.string().min(1).max(64).optional(),
  }),
  produce: z.object({
    lessonId: objectId,
    transportId: mediasoupId,
    kind: z.enum(['audio', 'video']),
    source: z.enum(['camera', 'mic', 'screen']),
    rtpParameters: RtpParametersSchema,
  }),
  consume: z.object({ lessonId: objectId, producerId: mediasoupId }),
  'consumer:resume': z.object({ lessonId: objectId, consumerId: mediasoupId }),
  'consumer:close': z.object({ lessonId: objectId, consumerId: mediasoupId }),
  'board:open': z.object({ lessonId: objectId, since: z.number().int().min(0).nullable() }),
  'board:change': z.object({ lessonId: objectId, change: BoardChangeSchema }),
  'board:laser': z.object({ lessonId: objectId, point: LaserSchema }),
  'hand:set': z.object({ lessonId: objectId, raised: z.boolean(), classroomId: objectId.optional() }),
  'floor:set': z.object({ lessonId: objectId, classroomId: objectId.nullable() }),
  'spotlight:set': z.object({ lessonId: objectId, classroomId: objectId.nullable() }),
  'mute:set': z.object({ lessonId: objectId, classroomId: objectId, muted: z.boolean() }),
  'session:renew': z.object({ token: z.string().min(1).max(4096) }),
  'watch:join': z.object({
    lessonId: objectId,
    rtpCapabilities: RtpCapabilitiesSchema,
    mode: z.enum(['tile', 'full']),
  }),
  'watch:connect': z.object({
    lessonId: objectId,
    transportId: mediasoupId,
    dtlsParameters: DtlsParametersSchema,
  }),
  'watch:consume': z.object({ lessonId: objectId, producerId: mediasoupId }),
  'watch:resume': z.object({ lessonId: objectId, consumerId: mediasoupId }),
  'watch:leave': z.object({ lessonId: objectId }),
  'watch:board': z.object({ lessonId: objectId, since: z.number().int().min(0).nullable() }),
} satisfies { [K in keyof ClientToServerEvents]: z.ZodType<Parameters<ClientToServerEvents[K]>[0]> };

// Compile-time check that the REST schema produces the wire type.
/** The login body's schema parses exactly a `LoginRequest` (fails to compile if they drift). */
export type _LoginBody = Assert<Same<z.infer<typeof LoginSchema>, LoginRequest>>;
