import { randomFillSync } from 'node:crypto';
import wrtc from '@roamhq/wrtc';

/** A synthetic camera or microphone feeding a wrtc track in real time. */
export interface SyntheticSource {
  track: MediaStreamTrack;
  stop(): void;
}

/**
 * A camera of `width`×`height` at `frameRate`, as I420 frames into wrtc's RTCVideoSource: a
 * texture that scrolls (what motion estimation predicts cheaply, like a steady camera) with a
 * band of fresh noise moving down the picture (what it cannot, like a teacher moving), so
 * that every simulcast layer's encoder runs at its bitrate cap, as a real classroom camera's
 * does. Costs a copy and a few hundred KiB of random bytes per frame.
 */
export function syntheticCamera({
  width,
  height,
  frameRate,
}: {
  width: number;
  height: number;
  frameRate: number;
}): SyntheticSource {
  const source = new wrtc.nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const lumaSize = width * height;
  const frame = new Uint8Array(lumaSize * 1.5);
  const texture = randomFillSync(new Uint8Array((width + 256) * height));
  // Chroma: mid-grey with a slow tint, so colour costs little.
  const band = Math.max(2, Math.floor(height / 8)) & ~1;
  let n = 0;
  const tick = (): void => {
    n++;
    const shift = (n * 3) % 256;
    for (let y = 0; y < height; y++)
      frame.set(texture.subarray(y * (width + 256) + shift, y * (width + 256) + shift + width), y * width);
    const top = ((n * 8) % (height - band)) & ~1;
    randomFillSync(frame, top * width, band * width);
    frame.fill(128 + ((n >> 3) % 16), lumaSize);
    source.onFrame({ width, height, data: frame });
  };
  const timer = setInterval(tick, 1000 / frameRate);
  tick();
  return {
    track,
    stop() {
      clearInterval(timer);
      track.stop();
    },
  };
}

/**
 * A microphone: a 440 Hz tone with a little noise, mono 48 kHz, into wrtc's RTCAudioSource in
 * 10 ms frames (as many as are due at each tick, so the rate holds whatever the timer's jitter).
 */
export function syntheticMicrophone(): SyntheticSource {
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  const sampleRate = 48_000;
  const perFrame = sampleRate / 100;
  const started = performance.now();
  let sent = 0;
  let phase = 0;
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - started) / 10);
    for (; sent < due; sent++) {
      const samples = new Int16Array(perFrame);
      for (let i = 0; i < perFrame; i++) {
        phase += (2 * Math.PI * 440) / sampleRate;
        samples[i] = Math.round(6000 * Math.sin(phase) + (Math.random() - 0.5) * 600);
      }
      source.onData({ samples, sampleRate, bitsPerSample: 16, channelCount: 1, numberOfFrames: perFrame });
    }
  }, 10);
  return {
    track,
    stop() {
      clearInterval(timer);
      track.stop();
    },
  };
}
