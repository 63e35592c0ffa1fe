import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentLessonResponse } from '../../server/contract/api.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { connect, request } from '../helpers/socket.ts';

/** The value of a sample line `name{labels} value` in Prometheus' text format, or null. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
}

describe('GET /metrics', () => {
  let t: TestPlatform;
  let guarded: TestPlatform;
  const TOKEN = 'a-metrics-token-for-this-test';

  beforeAll(async () => {
    t = await startPlatform();
    guarded = await startPlatform({ env: { METRICS_TOKEN: TOKEN } });
  }, 60_000);
  afterAll(async () => {
    for (const p of [t, guarded]) {
      await p?.close();
      if (p) removeDataDir(p.dataDir);
    }
  });

  it('counts live lessons, participants and socket events, and times joins', async () => {
    const teacher = await connect(t.url, await login(t.url, 'teacher'));
    try {
      const token = await login(t.url, 'teacher');
      const current = (await (
        await fetch(`${t.url}/api/lessons/current`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as CurrentLessonResponse;
      const lessonId = current.lesson!.id;
      expect(await request(teacher, 'lesson:start', { lessonId })).toMatchObject({ ok: true });
      const caps = await t.platform.rooms.routerCapabilities();
      expect(await request(teacher, 'lesson:join', { lessonId, rtpCapabilities: caps })).toMatchObject({
        ok: true,
      });
      expect(
        await request(teacher, 'transport:create', { lessonId: 'nope', direction: 'recv' }),
      ).toMatchObject({
        ok: false,
      });

      const res = await fetch(`${t.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(sample(text, 'classroom_live_lessons')).toBe(1);
      expect(sample(text, 'classroom_lesson_participants')).toBe(1);
      expect(sample(text, 'classroom_socket_events_total{event="lesson:join",outcome="ok"}')).toBe(1);
      expect(sample(text, 'classroom_socket_events_total{event="transport:create",outcome="refused"}')).toBe(
        1,
      );
      expect(sample(text, 'classroom_socket_event_seconds_count{event="lesson:join"}')).toBe(1);
      expect(sample(text, 'classroom_lesson_hosting_changes_total{change="taken"}')).toBe(1);
      expect(sample(text, 'classroom_database_latency_seconds')).toBeGreaterThan(0);
      // Node's own figures are there too; without Redis there is no Redis latency.
      expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
      expect(text).not.toContain('classroom_redis_latency_seconds ');
      // The job queues, in process here (none waiting).
      expect(text).toMatch(/^classroom_jobs\{queue="[^"]+",state="waiting"\} 0$/m);
    } finally {
      teacher.close();
    }
  });

  it('is for this machine only without a token: a request forwarded by a proxy is refused', async () => {
    const res = await fetch(`${t.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { name: 'ForbiddenError' } });
  });

  it('with METRICS_TOKEN set, only with that token', async () => {
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('classroom_live_lessons');
  });
});
