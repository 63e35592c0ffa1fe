import { describe, expect, it } from 'vitest';
import { linkQuality, peerQuality } from '../../client/src/media/linkQuality.ts';

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
});
