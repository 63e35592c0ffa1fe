import wrtc from '@roamhq/wrtc';

/**
 * Gives mediasoup-client's browser handlers the WebRTC globals they expect, from wrtc
 * (libwebrtc M106 in Node). Call before creating a Device; idempotent.
 */
export function installWrtcGlobals(): void {
  Object.assign(globalThis, {
    RTCPeerConnection: wrtc.RTCPeerConnection,
    RTCSessionDescription: wrtc.RTCSessionDescription,
    RTCIceCandidate: wrtc.RTCIceCandidate,
    MediaStream: wrtc.MediaStream,
    MediaStreamTrack: wrtc.MediaStreamTrack,
  });
}

/**
 * mediasoup-client's handler for wrtc: Chrome74, the unified-plan handler for Chromium
 * before M111 (wrtc 0.10 is libwebrtc M106), with simulcast by `sendEncodings`.
 */
export const WRTC_HANDLER = 'Chrome74';
