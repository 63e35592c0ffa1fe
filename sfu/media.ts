import type { types } from 'mediasoup';

/**
 * Codecs every lesson router offers. Opus for speech; VP8 first because Chromium's
 * simulcast is most mature with it; H264 for classroom devices with hardware encoders only.
 */
export const LESSON_MEDIA_CODECS: types.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 600 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
];
