/**
 * zod schemas of the WebRTC parameters a browser sends (mediasoup-client's RtpCapabilities,
 * RtpParameters, DtlsParameters): their shape and size are checked here, at the edge, so
 * that nothing odd (a 5,000-deep object, `{ $gt: '' }`, `__proto__`, a megabyte of codecs)
 * reaches mediasoup; mediasoup then checks their content. The top level admits only the
 * fields mediasoup-client sends (the client ships with this server); unknown fields of the
 * inner objects are dropped.
 */
import { z } from 'zod';

const kind = z.enum(['audio', 'video']);
const mimeType = z.string().regex(/^(audio|video)\/[A-Za-z0-9.+-]{1,40}$/, 'a MIME type like video/VP8');
const payloadType = z.number().int().min(0).max(127);
const clockRate = z.number().int().min(1).max(1_000_000);
const channels = z.number().int().min(1).max(8);
const uint32 = z.number().int().min(0).max(0xffff_ffff);
const shortText = z.string().max(64);
/** Codec parameters: `profile-level-id`, `packetization-mode`, `useinbandfec`, … */
const codecParameters = z
  .record(z.string().max(64), z.union([z.string().max(256), z.number().finite()]))
  .refine((p) => Object.keys(p).length <= 32, 'at most 32 parameters');
const rtcpFeedback = z
  .array(z.object({ type: z.string().min(1).max(32), parameter: z.string().max(32).optional() }))
  .max(32);
const extensionUri = z.string().min(1).max(256);
const direction = z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

export const RtpCapabilitiesSchema = z.strictObject({
  codecs: z
    .array(
      z.object({
        kind,
        mimeType,
        preferredPayloadType: payloadType.optional(),
        clockRate,
        channels: channels.optional(),
        parameters: codecParameters.optional(),
        rtcpFeedback: rtcpFeedback.optional(),
      }),
    )
    .min(1)
    .max(64),
  headerExtensions: z
    .array(
      z.object({
        kind,
        uri: extensionUri,
        preferredId: z.number().int().min(1).max(255),
        preferredEncrypt: z.boolean().optional(),
        direction: direction.optional(),
      }),
    )
    .max(64)
    .optional(),
});

export const RtpParametersSchema = z.strictObject({
  mid: z.string().max(32).optional(),
  /** "<stream id> <track id>", which mediasoup hands on to the consumers. */
  msid: z.string().max(256).optional(),
  codecs: z
    .array(
      z.object({
        mimeType,
        payloadType,
        clockRate,
        channels: channels.optional(),
        parameters: codecParameters.optional(),
        rtcpFeedback: rtcpFeedback.optional(),
      }),
    )
    .min(1)
    .max(16),
  headerExtensions: z
    .array(
      z.object({
        uri: extensionUri,
        id: z.number().int().min(1).max(255),
        encrypt: z.boolean().optional(),
        parameters: codecParameters.optional(),
      }),
    )
    .max(32)
    .optional(),
  encodings: z
    .array(
      z.object({
        ssrc: uint32.optional(),
        rid: z.string().max(32).optional(),
        codecPayloadType: payloadType.optional(),
        rtx: z.object({ ssrc: uint32 }).optional(),
        dtx: z.boolean().optional(),
        scalabilityMode: z.string().max(16).optional(),
        scaleResolutionDownBy: z.number().finite().min(1).max(64).optional(),
        maxBitrate: z.number().finite().min(0).max(100_000_000).optional(),
        maxFramerate: z.number().finite().min(0).max(240).optional(),
        active: z.boolean().optional(),
      }),
    )
    .max(8)
    .optional(),
  rtcp: z
    .object({ cname: shortText.optional(), reducedSize: z.boolean().optional(), mux: z.boolean().optional() })
    .optional(),
});

export const DtlsParametersSchema = z.strictObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(
      z.object({
        algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']),
        value: z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){15,63}$/, 'colon-separated hex bytes'),
      }),
    )
    .min(1)
    .max(8),
});
