import type { types } from 'mediasoup-client';

/** RTCP feedback rtcsink answers: NACK (with PLI and FIR) and transport-wide CC, no REMB. */
const FEEDBACK = new Set(['nack', 'nack pli', 'ccm fir', 'transport-cc']);

/** Header extensions rtcsink negotiates (pion's receiver): mid, send times, transport-wide CC, audio level. */
const EXTENSIONS = new Set([
  'urn:ietf:params:rtp-hdrext:sdes:mid',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
]);

/**
 * What a load-client classroom says it can receive, from the lesson router's capabilities:
 * Opus, VP8 (the teacher camera's codec) with its RTX, and the feedback and header
 * extensions rtcsink handles, as a browser's `device.recvRtpCapabilities` would list them.
 * Without `bandwidthEstimation`, no transport-wide CC: the SFU then has no estimate of the
 * classroom's link and sends the layer its budget allows (a benchmark's "everyone on the top
 * layer").
 */
export function receiverCapabilities(
  router: types.RtpCapabilities,
  { bandwidthEstimation = true }: { bandwidthEstimation?: boolean } = {},
): types.RtpCapabilities {
  const feedback = bandwidthEstimation
    ? FEEDBACK
    : new Set([...FEEDBACK].filter((f) => f !== 'transport-cc'));
  const extensions = bandwidthEstimation
    ? EXTENSIONS
    : new Set([...EXTENSIONS].filter((uri) => !uri.includes('transport-wide-cc')));
  const vp8 = router.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
  const codecs = (router.codecs ?? [])
    .filter((c) => {
      const mime = c.mimeType.toLowerCase();
      if (mime === 'audio/opus' || mime === 'video/vp8') return true;
      return mime === 'video/rtx' && vp8 !== undefined && c.parameters?.['apt'] === vp8.preferredPayloadType;
    })
    .map((c) => ({
      ...c,
      rtcpFeedback: (c.rtcpFeedback ?? []).filter((f) =>
        feedback.has(f.parameter ? `${f.type} ${f.parameter}` : f.type),
      ),
    }));
  if (!codecs.some((c) => c.kind === 'video') || !codecs.some((c) => c.kind === 'audio'))
    throw new TypeError('the lesson router offers no Opus or no VP8');
  return {
    codecs,
    headerExtensions: (router.headerExtensions ?? []).filter((h) => extensions.has(h.uri)),
  };
}
