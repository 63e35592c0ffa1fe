import { describe, expect, it } from 'vitest';
import { layerLabel, linkQuality, peerQuality, worse } from '../../client/src/media/linkQuality.ts';

const stats = {
  videoKbps: 800,
  audioKbps: 32,
  audioPackets: 100,
  sendKbps: 300,
  lossPct: 0,
  rttMs: 40,
  width: 640,
  height: 360,
  silentMs: 0,
};

describe('link quality, as the kiosk measures it and as the server reports it to the teacher', () => {
  it('grades loss and latency by one set of thresholds on both sides', () => {
    for (const [lossPct, rttMs, expected] of [
      [0, 40, 'good'],
      [2.5, 40, 'constrained'],
      [0, 200, 'constrained'],
      [9, 40, 'bad'],
      [0, 450, 'bad'],
    ] as const) {
      expect(linkQuality({ ...stats, lossPct, rttMs }, true)).toBe(expected);
      expect(peerQuality({ connection: 'connected', lossPct, rttMs })).toBe(expected);
    }
  });

  it('calls a stalled or thin stream, a dropped transport and no link by name', () => {
    expect(linkQuality({ ...stats, silentMs: 5000 }, true)).toBe('bad');
    expect(linkQuality({ ...stats, videoKbps: 150 }, true)).toBe('constrained');
    expect(linkQuality(stats, false)).toBe('offline');
    expect(peerQuality({ connection: 'failed', lossPct: null, rttMs: null })).toBe('bad');
    expect(peerQuality({ connection: 'connecting', lossPct: null, rttMs: null })).toBe('offline');
    expect(peerQuality(null)).toBe('offline');
    // Before any RTCP report there is nothing against the link.
    expect(peerQuality({ connection: 'connected', lossPct: null, rttMs: null })).toBe('good');
  });

  it('grades the teacher camera layer the SFU can send: below the top constrained, paused video bad', () => {
    const link = { connection: 'connected', lossPct: 0, rttMs: 40 };
    expect(peerQuality({ ...link, cameraLayer: { current: 2, layers: 3 } })).toBe('good');
    expect(peerQuality({ ...link, cameraLayer: { current: 1, layers: 3 } })).toBe('constrained');
    expect(peerQuality({ ...link, cameraLayer: { current: 0, layers: 3 } })).toBe('constrained');
    expect(peerQuality({ ...link, cameraLayer: { current: null, layers: 3 } })).toBe('bad');
    // Loss makes it worse whatever the layer; a classroom not sent the camera is graded by its link.
    expect(peerQuality({ ...link, lossPct: 9, cameraLayer: { current: 2, layers: 3 } })).toBe('bad');
    expect(peerQuality({ ...link, cameraLayer: null })).toBe('good');
    expect(worse('constrained', 'good')).toBe('constrained');
    expect(worse('good', 'offline')).toBe('offline');
  });

  it('names the layer as people name video quality (高清, 标清, 流畅, 仅声音)', () => {
    expect(layerLabel({ current: 2, layers: 3 })).toBe('layerHigh');
    expect(layerLabel({ current: 1, layers: 3 })).toBe('layerMid');
    expect(layerLabel({ current: 0, layers: 3 })).toBe('layerLow');
    expect(layerLabel({ current: null, layers: 3 })).toBe('layerPaused');
    expect(layerLabel(null)).toBeNull();
  });
});
