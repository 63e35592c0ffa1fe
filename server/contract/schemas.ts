/**
 * zod schemas for every input from outside: REST bodies and socket payloads. The
 * `satisfies`-style checks at the bottom keep them in step with the wire types.
 */
import { z } from 'zod';
import type { ClientToServerEvents } from './events.ts';
import type { LoginRequest } from './api.ts';

const objectId = z.string().regex(/^[0-9a-f]{24}$/i, 'must be a 24-character hex id');
const mediasoupId = z.string().min(1).max(64);
/** mediasoup parameter objects: checked for shape here, for content by mediasoup itself. */
const json = z.record(z.string(), z.unknown());

export const LoginSchema = z.object({
  username: z.string().trim().min(1, 'required').max(64),
  password: z.string().min(1, 'required').max(256),
});

export const LessonIdParams = z.object({ id: objectId });

export const SocketSchemas = {
  'lesson:join': z.object({ lessonId: objectId, rtpCapabilities: json }),
  'lesson:leave': z.object({ lessonId: objectId }),
  'lesson:start': z.object({ lessonId: objectId }),
  'lesson:end': z.object({ lessonId: objectId }),
  'transport:create': z.object({ lessonId: objectId, direction: z.enum(['send', 'recv']) }),
  'transport:connect': z.object({ lessonId: objectId, transportId: mediasoupId, dtlsParameters: json }),
  produce: z.object({
    lessonId: objectId,
    transportId: mediasoupId,
    kind: z.enum(['audio', 'video']),
    source: z.enum(['camera', 'mic', 'screen']),
    rtpParameters: json,
  }),
  consume: z.object({ lessonId: objectId, producerId: mediasoupId }),
  'consumer:resume': z.object({ lessonId: objectId, consumerId: mediasoupId }),
} satisfies { [K in keyof ClientToServerEvents]: z.ZodType<Parameters<ClientToServerEvents[K]>[0]> };

// Compile-time check that the REST schema produces the wire type.
export type _LoginCheck = z.infer<typeof LoginSchema> extends LoginRequest ? true : never;
