/**
 * What the teacher's and the classrooms' cameras and microphones send: capture sizes, simulcast
 * layers and codec options. One definition, used by the browser app (`LessonClient`,
 * `openLocalMedia`) and by the load client of the benchmarks (bench/loadclient), which
 * publishes a synthetic teacher at exactly these settings.
 */
import type { types } from 'mediasoup-client';

/** The teacher camera's capture: 720p at 25 fps (it feeds the three simulcast layers below). */
export const TEACHER_CAPTURE = { width: 1280, height: 720, frameRate: 25 } as const;

/** A classroom camera's capture: 360p at 15 fps (it only feeds the teacher's grid). */
export const CLASSROOM_CAPTURE = { width: 640, height: 360, frameRate: 15 } as const;

/**
 * The teacher camera's simulcast layers, low to high: each classroom gets what its link
 * carries (the SFU picks the layer by its budget and bandwidth estimate). No temporal layers:
 * given them, mediasoup prefers a higher spatial layer at a lower frame rate, and a 1 Mbit/s
 * link was seen getting 720p at 6 fps with repeated freezes instead of smooth 360p.
 */
export const TEACHER_CAMERA_LAYERS: readonly types.RtpEncodingParameters[] = Object.freeze([
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
]);

/**
 * What the teacher's browser gives up when its encoder is short of CPU: frame rate, never
 * resolution. By default Chromium scales the camera down, and three encodes on a busy machine
 * sent the 720p layer at 540p (or dropped it): no classroom could then get the top layer,
 * whatever its link. The classrooms read the teacher's writing, which a smaller picture blurs
 * and a lower frame rate hardly touches.
 */
export const TEACHER_CAMERA_DEGRADATION: RTCDegradationPreference = 'maintain-resolution';

/** Codec options of every camera: the encoder starts at 1 Mbit/s rather than ramping up from 300 kbit/s. */
export const CAMERA_CODEC_OPTIONS: types.ProducerCodecOptions = Object.freeze({
  videoGoogleStartBitrate: 1000,
});

/** Codec options of every microphone: mono speech, silence suppressed, loss concealed. */
export const MIC_CODEC_OPTIONS: types.ProducerCodecOptions = Object.freeze({
  opusStereo: false,
  opusDtx: true,
  opusFec: true,
});

/**
 * A classroom camera sends one layer, sized for where the teacher shows it: a small tile in
 * the grid most of the time, large when the classroom is spotlit or has the floor (then every
 * classroom sees it too). One layer switched by the kiosk, rather than two sent for the
 * server to choose from, because a teaching point's uplink is 1–2 Mbit/s: simulcast would
 * send both layers all lesson long (~0.8 Mbit/s) for a view needed a few minutes per lesson,
 * while the grid layer takes ~0.2 Mbit/s and the switch costs one key frame.
 */
export const CLASSROOM_CAMERA = {
  grid: { maxBitrate: 200_000, scaleResolutionDownBy: 2 },
  featured: { maxBitrate: 700_000, scaleResolutionDownBy: 1 },
} as const satisfies Record<string, types.RtpEncodingParameters>;
