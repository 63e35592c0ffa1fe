import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadClient } from '../../bench/loadclient/LoadClient.ts';
import { waitFor } from '../helpers/media.ts';
import { removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';

const PASSWORD = 'demo2026';

describe('load client (bench/loadclient) on the real server', () => {
  let t: TestPlatform;
  let load: LoadClient | null = null;

  beforeAll(async () => {
    t = await startPlatform();
  });
  afterAll(async () => {
    await load?.stop({ end: true });
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('joins a live lesson as 2 classrooms through the platform’s signaling and receives the teacher’s camera and microphone over WebRTC', async () => {
    load = await LoadClient.teach({ url: t.url, teacher: { username: 'teacher', password: PASSWORD } });
    const lessonId = load.teacher.publishing.lessonId;
    await load.join({
      url: t.url,
      teacher: { username: 'teacher', password: PASSWORD },
      classrooms: ['classroom1', 'classroom2'].map((username) => ({ username, password: PASSWORD })),
      seats: 2,
    });

    // Both classrooms are peers of the lesson's room, each consuming the camera and the microphone.
    const room = t.platform.rooms.get(lessonId);
    expect(room?.stats()).toMatchObject({ peers: 3, producers: 2, consumers: 4 });

    // A key frame of the camera reached each classroom (its size names the layer).
    const keyFrames = await waitFor(
      async () => (await load!.snapshots()).every((s) => s.video.height > 0 && s.audio.packets > 0),
      10_000,
      250,
    );
    expect(keyFrames).toBe(true);

    // Media keeps flowing: both counters of each classroom grow past where they were. (Not over
    // a fixed second: the SFU may hold a classroom's video for a moment when its estimate of the
    // link dips, which on a busy machine it does.)
    const before = await load.snapshots();
    const grew = await waitFor(
      async () =>
        (await load!.snapshots()).every(
          (s, i) => s.video.bytes > before[i]!.video.bytes && s.audio.bytes > before[i]!.audio.bytes,
        ),
      10_000,
      250,
    );
    expect(grew).toBe(true);
    // Each classroom reports its state, its layer and its first packet.
    const window = await load.measure(1000);
    expect(window).toHaveLength(2);
    for (const classroom of window) {
      expect(classroom.state).toBe('connected');
      expect(classroom.kbps).toBeGreaterThan(0);
      expect(classroom.layer).not.toBeNull();
      expect(classroom.firstPacketMs).toBeGreaterThan(0);
    }
  });
});
