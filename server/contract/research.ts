/**
 * The wire types of 听课评课 (lesson evaluation against a region's rubric) and 网络教研
 * (research alliances and their sessions). The zod schemas parse what comes in; the
 * rubric's rules (weights summing to 100, one descriptor per level, unique item keys) are
 * defined here once and checked again on the stored record after a partial update.
 */
import { z } from 'zod';
import type { BoardAuthor, BoardChange, BoardOp, BoardSync, LaserPoint } from './board.ts';
import type { WireError } from './errors.ts';
import { BoardChangeSchema, LaserSchema, ObjectIdSchema } from './schemas.ts';

const objectId = ObjectIdSchema;
const text = (max: number) => z.string().trim().min(1).max(max).regex(/\S/, 'must not be blank');
const regionCode = z.string().regex(/^\d{6}$/, 'must be a 6-digit region code');

/** What a rubric's weights add up to. */
export const RUBRIC_WEIGHT_TOTAL = 100;

export const RubricItemSchema = z.object({
  key: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, - and _, starting with a letter'),
  name: text(40),
  weight: z.number().int().min(1).max(RUBRIC_WEIGHT_TOTAL),
  descriptors: z.array(text(200)).max(10),
});
export type RubricItem = z.infer<typeof RubricItemSchema>;

/** Problems of a rubric as stored (items and levels together), by field path; empty when valid. */
export function rubricProblems(rubric: {
  levels: number;
  items: readonly { key: string; weight: number; descriptors: readonly string[] }[];
}): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const sum = rubric.items.reduce((n, i) => n + i.weight, 0);
  if (sum !== RUBRIC_WEIGHT_TOTAL)
    problems.push({ path: 'items', message: `weights sum to ${sum}, not ${RUBRIC_WEIGHT_TOTAL}` });
  const keys = new Set<string>();
  rubric.items.forEach((item, i) => {
    if (keys.has(item.key)) problems.push({ path: `items.${i}.key`, message: `duplicate key ${item.key}` });
    keys.add(item.key);
    if (item.descriptors.length !== 0 && item.descriptors.length !== rubric.levels)
      problems.push({
        path: `items.${i}.descriptors`,
        message: `${item.descriptors.length} descriptors for ${rubric.levels} levels (one per level, or none)`,
      });
  });
  return problems;
}

const rubricFields = {
  name: text(60),
  regionCode,
  levels: z.number().int().min(2).max(10),
  items: z.array(RubricItemSchema).min(1).max(12),
  active: z.boolean().default(true),
};
const RUBRIC_RULE = `weights sum to ${RUBRIC_WEIGHT_TOTAL}; item keys unique; descriptors: one per level, or none`;

export const RubricCreateSchema = z
  .object(rubricFields)
  .superRefine((r, ctx) => {
    for (const p of rubricProblems(r))
      ctx.addIssue({ code: 'custom', message: p.message, path: p.path.split('.') });
  })
  .meta({ description: RUBRIC_RULE });
export const RubricUpdateSchema = z.object(rubricFields).partial().meta({ description: RUBRIC_RULE });

/** A score of one rubric item. */
export const ScoreSchema = z.object({
  key: z.string().min(1).max(32),
  score: z.number().int().min(1).max(10),
});
/** A comment at a moment of the lesson: seconds from its live start. */
export const CommentSchema = z.object({ atSeconds: z.number().int().min(0).max(86_400), text: text(1000) });

/** Starts (or continues) the caller's evaluation of a lesson. */
export const EvaluationCreateSchema = z.object({
  lessonId: objectId,
  rubricId: objectId,
  mode: z.enum(['live', 'recording']),
  scores: z.array(ScoreSchema).max(12).default([]),
  comments: z.array(CommentSchema).max(200).default([]),
  summary: z.string().trim().max(2000).default(''),
  /** Submit now: every item must be scored; the teacher sees it. */
  submit: z.boolean().default(false),
});
export const EvaluationUpdateSchema = z.object({
  scores: z.array(ScoreSchema).max(12).optional(),
  comments: z.array(CommentSchema).max(200).optional(),
  summary: z.string().trim().max(2000).optional(),
  submit: z.boolean().default(false),
});
/** A teacher asked to evaluate a lesson (an invited evaluation). */
export const EvaluationInviteSchema = z.object({ rubricId: objectId, teacherId: objectId });

export const EvaluationQuerySchema = z.object({
  lessonId: objectId.optional(),
  teacherId: objectId.optional(),
  /** Only the caller's own evaluations (as evaluator). */
  mine: z.enum(['1']).optional(),
});

/** How the summary groups evaluations. */
export const SummaryQuerySchema = z.object({
  by: z.enum(['teacher', 'cluster', 'region']).default('teacher'),
  /** ISO instants bounding the lessons' evaluation submit time. */
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  format: z.enum(['xlsx', 'csv']).optional(),
});

export interface EvaluationView {
  id: string;
  lessonId: string;
  lessonTitle: string;
  lessonStart: string | null;
  /** Seconds-from-start comments jump into this recording (null: no recording). */
  recordingId: string | null;
  rubric: { id: string; name: string; levels: number; items: RubricItem[] };
  evaluator: { id: string; name: string };
  teacher: { id: string; name: string };
  clusterId: string;
  regionCode: string;
  mode: 'live' | 'recording';
  state: 'invited' | 'draft' | 'submitted';
  scores: { key: string; score: number }[];
  comments: { atSeconds: number; text: string }[];
  summary: string;
  /** Weighted total, 0–100, once submitted. */
  total: number | null;
  submittedAt: string | null;
  updatedAt: string;
}

/** A lesson an overseer may evaluate: live now, or ended in the last two weeks. */
export interface EvaluableLesson {
  id: string;
  title: string;
  teacherName: string;
  state: 'live' | 'ended';
  startedAt: string | null;
  /** The caller already evaluates it. */
  mine: boolean;
}

/** One group of the aggregation: submitted evaluations, their mean total and mean per item. */
export interface SummaryRow {
  id: string;
  name: string;
  evaluations: number;
  /** Mean weighted total, 0–100. */
  meanTotal: number | null;
  /** Item name → mean score over the evaluations that scored it (1…levels). */
  items: Record<string, number>;
}

export interface SummaryView {
  by: 'teacher' | 'cluster' | 'region';
  rows: SummaryRow[];
}

/** 网络教研: a research session's view, with its alliance and whether the caller may join. */
export interface ResearchSessionView {
  id: string;
  allianceId: string;
  allianceName: string;
  subject: string;
  title: string;
  agenda: string;
  scheduledStart: string;
  scheduledEnd: string;
  state: 'scheduled' | 'live' | 'ended';
  /** Teachers of the alliance (leader first). */
  members: { id: string; name: string; schoolName: string; lead: boolean }[];
  attendeeIds: string[];
  /** The caller is the leader or a member. */
  canJoin: boolean;
  /** Largest grid shown (everyone sends and receives): {@link RESEARCH_GRID_MAX}. */
  gridMax: number;
}

/** Largest grid of a research session (everyone sends and receives). */
export const RESEARCH_GRID_MAX = 25;

/** A research session's participant as its media announces it (the user id is `refId`). */
export interface ResearchPeer {
  peerId: string;
  refId: string;
  displayName: string;
}

/** A producer of the session (a teacher's camera or microphone). */
export interface ResearchProducer {
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: 'camera' | 'mic' | 'screen';
}

type Json = Record<string, unknown>;
/** A socket acknowledgement: the result, or the error as the HTTP API names it. */
export type ResearchAck<T> = (response: { ok: true; data: T } | { ok: false; error: WireError }) => void;

const sessionIdSchema = objectId;
/** What each research-media socket event carries (parsed at the edge). */
export const ResearchSocketSchemas = {
  'research:open': z.object({ sessionId: sessionIdSchema }),
  'research:join': z.object({
    sessionId: sessionIdSchema,
    rtpCapabilities: z.record(z.string(), z.unknown()),
  }),
  'research:transport': z.object({ sessionId: sessionIdSchema, direction: z.enum(['send', 'recv']) }),
  'research:connect': z.object({
    sessionId: sessionIdSchema,
    transportId: z.string().min(1).max(64),
    dtlsParameters: z.record(z.string(), z.unknown()),
  }),
  'research:produce': z.object({
    sessionId: sessionIdSchema,
    transportId: z.string().min(1).max(64),
    kind: z.enum(['audio', 'video']),
    source: z.enum(['camera', 'mic']),
    rtpParameters: z.record(z.string(), z.unknown()),
  }),
  'research:consume': z.object({ sessionId: sessionIdSchema, producerId: z.string().min(1).max(64) }),
  'research:resume': z.object({ sessionId: sessionIdSchema, consumerId: z.string().min(1).max(64) }),
  'research:leave': z.object({ sessionId: sessionIdSchema }),
  'research:board-open': z.object({
    sessionId: sessionIdSchema,
    since: z.number().int().min(0).nullable(),
  }),
  'research:board-change': z.object({ sessionId: sessionIdSchema, change: BoardChangeSchema }),
  'research:board-laser': z.object({ sessionId: sessionIdSchema, point: LaserSchema }),
} as const satisfies {
  [K in keyof ResearchClientToServer]: z.ZodType<Parameters<ResearchClientToServer[K]>[0]>;
};

/**
 * The research session's media over socket.io (namespace `/research`): every teacher sends
 * its camera and microphone and receives every other teacher's (N+N).
 */
export interface ResearchClientToServer {
  /** A teacher of the alliance opens the session's media: it is held, the teacher takes part. */
  'research:open': (p: { sessionId: string }, ack: ResearchAck<{ routerRtpCapabilities: Json }>) => void;
  'research:join': (
    p: { sessionId: string; rtpCapabilities: Json },
    ack: ResearchAck<{ peerId: string; peers: ResearchPeer[]; producers: ResearchProducer[] }>,
  ) => void;
  'research:transport': (
    p: { sessionId: string; direction: 'send' | 'recv' },
    ack: ResearchAck<{ id: string; iceParameters: Json; iceCandidates: Json[]; dtlsParameters: Json }>,
  ) => void;
  'research:connect': (
    p: { sessionId: string; transportId: string; dtlsParameters: Json },
    ack: ResearchAck<null>,
  ) => void;
  'research:produce': (
    p: {
      sessionId: string;
      transportId: string;
      kind: 'audio' | 'video';
      source: 'camera' | 'mic';
      rtpParameters: Json;
    },
    ack: ResearchAck<{ producerId: string }>,
  ) => void;
  'research:consume': (
    p: { sessionId: string; producerId: string },
    ack: ResearchAck<{
      id: string;
      producerId: string;
      peerId: string;
      kind: 'audio' | 'video';
      rtpParameters: Json;
    }>,
  ) => void;
  'research:resume': (p: { sessionId: string; consumerId: string }, ack: ResearchAck<null>) => void;
  'research:leave': (p: { sessionId: string }, ack: ResearchAck<null>) => void;
  /**
   * Opens the session's board (the lesson board, keyed by the session's id): its state, or
   * the changes after `since`; `research:board-ops` follow. The leading teacher writes as the
   * board's `teacher`; every other teacher as a `classroom` (its user id), only while holding
   * the pen — the lesson's rule.
   */
  'research:board-open': (
    p: { sessionId: string; since: number | null },
    ack: ResearchAck<BoardSync>,
  ) => void;
  /** A board change; answered with its sequence number once persisted and broadcast. */
  'research:board-change': (
    p: { sessionId: string; change: BoardChange },
    ack: ResearchAck<{ seq: number }>,
  ) => void;
  /** The laser pointer (not kept): whoever may write may point. */
  'research:board-laser': (p: { sessionId: string; point: LaserPoint }, ack: ResearchAck<null>) => void;
}

export interface ResearchServerToClient {
  'research:peer-joined': (peer: ResearchPeer) => void;
  'research:peer-left': (p: { peerId: string }) => void;
  'research:producer': (producer: ResearchProducer) => void;
  'research:producer-closed': (p: { producerId: string }) => void;
  'research:consumer-closed': (p: { consumerId: string }) => void;
  /** Sequenced board changes, in order, to those who opened the board. */
  'research:board-ops': (p: { sessionId: string; ops: BoardOp[] }) => void;
  'research:board-laser': (p: { sessionId: string; by: BoardAuthor; point: LaserPoint }) => void;
  /** The session ended (its leading teacher or an overseer ended it): media and board close. */
  'research:ended': (p: { sessionId: string }) => void;
}
