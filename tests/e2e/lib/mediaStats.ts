import type { BrowserContext, Page } from '@playwright/test';

/** What a page receives and sends, summed from the getStats() of every peer connection it opened. */
export interface MediaSample {
  /** performance.now() in the page, ms. */
  at: number;
  /**
   * Peer connections the page has opened so far, closed ones included. A rise means the page
   * set up its media again (a rejoin): the counters below then restart from the new ones.
   */
  opened: number;
  /** The `connectionState` of each connection not closed, in the order they were opened. */
  states: string[];
  video: {
    /** Largest frameHeight among inbound video streams (0 before the first frame). */
    frameHeight: number;
    framesDecoded: number;
    /** RTP payload bytes (`headerBytesReceived`: their RTP headers). */
    bytesReceived: number;
    headerBytesReceived: number;
    freezeCount: number;
    /** Seconds. */
    totalFreezesDuration: number;
    packetsLost: number;
  };
  audio: {
    packetsReceived: number;
    bytesReceived: number;
    headerBytesReceived: number;
    totalSamplesReceived: number;
    concealedSamples: number;
    concealmentEvents: number;
    packetsLost: number;
  };
  /** The sender's side (the teacher): key frames encoded and key frame requests received. */
  sent: {
    keyFramesEncoded: number;
    pliCount: number;
    firCount: number;
    bytesSent: number;
    /** Each sent video layer as `<rid>:<frameHeight>p/<qualityLimitationReason>`. */
    layers: string[];
  };
}

/**
 * Keeps every RTCPeerConnection a page creates, so that a test can read its stats without
 * a hook in the app. Call before the page loads.
 */
export async function trackPeerConnections(context: BrowserContext): Promise<void> {
  // A string, not a function: the page must get this code as written, not as a test
  // transpiler rewrote it (esbuild's name helpers do not exist in the page).
  await context.addInitScript(`(() => {
    const Native = window.RTCPeerConnection;
    const opened = [];
    window.RTCPeerConnection = class extends Native {
      constructor(config) {
        super(config);
        opened.push(this);
      }
    };
    Object.defineProperty(window, '__trackedPeerConnections', { value: opened });
  })();`);
}

/** Sums the stats of the tracked peer connections (a string, for the reason above). */
const SAMPLE = `(async () => {
  const tracked = window.__trackedPeerConnections ?? [];
  const s = {
    at: performance.now(),
    opened: tracked.length,
    states: tracked.filter((pc) => pc.connectionState !== 'closed').map((pc) => pc.connectionState),
    video: { frameHeight: 0, framesDecoded: 0, bytesReceived: 0, headerBytesReceived: 0, freezeCount: 0, totalFreezesDuration: 0, packetsLost: 0 },
    audio: { packetsReceived: 0, bytesReceived: 0, headerBytesReceived: 0, totalSamplesReceived: 0, concealedSamples: 0, concealmentEvents: 0, packetsLost: 0 },
    sent: { keyFramesEncoded: 0, pliCount: 0, firCount: 0, bytesSent: 0, layers: [] },
  };
  const add = (into, r, keys) => { for (const k of keys) into[k] += Number(r[k] ?? 0); };
  for (const pc of tracked) {
    if (pc.connectionState === 'closed') continue;
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') {
        s.video.frameHeight = Math.max(s.video.frameHeight, Number(r.frameHeight ?? 0));
        add(s.video, r, ['framesDecoded', 'bytesReceived', 'headerBytesReceived', 'freezeCount', 'totalFreezesDuration', 'packetsLost']);
      } else if (r.type === 'inbound-rtp' && r.kind === 'audio') {
        add(s.audio, r, ['packetsReceived', 'bytesReceived', 'headerBytesReceived', 'totalSamplesReceived', 'concealedSamples', 'concealmentEvents', 'packetsLost']);
      } else if (r.type === 'outbound-rtp' && r.kind === 'video') {
        add(s.sent, r, ['keyFramesEncoded', 'pliCount', 'firCount', 'bytesSent']);
        s.sent.layers.push((r.rid ?? '-') + ':' + (r.frameHeight ?? 0) + 'p/' + r.qualityLimitationReason);
      }
    });
  }
  return s;
})()`;

/** Reads the page's media figures now. */
export function sampleMedia(page: Page): Promise<MediaSample> {
  return page.evaluate<MediaSample>(SAMPLE);
}
