import type { ChildProcess } from 'node:child_process';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardOp, BoardState } from '../../server/contract/board.ts';
import type { LibraryListResponse } from '../../server/contract/library.ts';
import type { ResearchPeer } from '../../server/contract/research.ts';
import type { Recording } from '../../server/models/index.ts';
import { DEMO_ALLIANCES } from '../../server/seed/research.ts';
import { TEST_VIDEO_RTP, waitFor } from '../helpers/media.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import { TEST_AUDIO_RTP, sendKeyedTestVideo, sendTestAudio } from '../helpers/recordingMedia.ts';
import type { TestPlatform } from '../helpers/platform.ts';

type Reply =
  { ok: true; data: Record<string, unknown> } | { ok: false; error: { name: string; message: string } };

/** A socket on the research namespace, signed in with `token`. */
async function researchSocket(url: string, token: string): Promise<Socket> {
  const socket = io(`${url}/research`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

const ask = (socket: Socket, event: string, payload: unknown): Promise<Reply> =>
  socket.timeout(10_000).emitWithAck(event, payload) as Promise<Reply>;

/** The board changes `socket` receives, as they come. */
function boardOps(socket: Socket): BoardOp[] {
  const ops: BoardOp[] = [];
  socket.on('research:board-ops', (p: { ops: BoardOp[] }) => ops.push(...p.ops));
  return ops;
}

/** A pen stroke on the first page, complete in one message. */
const stroke = (id: string) => ({
  t: 'draw',
  id,
  page: 'p1',
  tool: 'line',
  color: '#ff0000',
  width: 4,
  points: [10, 10, 200, 120],
});

describe('research session media (N+N) over the /research namespace, real mediasoup', () => {
  let t: TestPlatform;
  let sessionId: string;
  const sockets: Socket[] = [];
  const senders: ChildProcess[] = [];
  /** Opens the session and its board for `username`; returns the socket and what its board opened with. */
  const seated = async (username: string): Promise<{ socket: Socket; opened: Reply }> => {
    const socket = await researchSocket(t.url, await login(t.url, username));
    sockets.push(socket);
    expect(await ask(socket, 'research:open', { sessionId })).toMatchObject({ ok: true });
    return { socket, opened: await ask(socket, 'research:board-open', { sessionId, since: null }) };
  };

  beforeAll(async () => {
    t = await startPlatform();
    const m = t.platform.models;
    const alliance = (await m.Alliance.findOne({ name: DEMO_ALLIANCES[0] }).lean())!;
    sessionId = (await m.ResearchSession.findOne({ allianceId: alliance._id }).lean())!._id.toString();
  }, 60_000);
  afterAll(async () => {
    for (const s of senders) s.kill('SIGKILL');
    for (const s of sockets) s.close();
    await t.close();
    removeDataDir(t.dataDir);
  });

  it('opens the session for its teachers, each seeing the others join, and counts them as taking part', async () => {
    const a = await researchSocket(t.url, await login(t.url, 'teacher'));
    const b = await researchSocket(t.url, await login(t.url, 'teacher3'));
    sockets.push(a, b);
    const opened = await ask(a, 'research:open', { sessionId });
    expect(opened).toMatchObject({ ok: true });
    const caps = (opened as unknown as { data: { routerRtpCapabilities: Record<string, unknown> } }).data
      .routerRtpCapabilities;
    expect(caps['codecs']).toBeDefined();
    const joinedA = await ask(a, 'research:join', { sessionId, rtpCapabilities: caps });
    expect(joinedA).toMatchObject({ ok: true, data: { peers: [], producers: [] } });
    const transport = await ask(a, 'research:transport', { sessionId, direction: 'send' });
    expect(transport).toMatchObject({ ok: true, data: { id: expect.any(String) as string } });

    const seen = new Promise<ResearchPeer>((resolve) => a.once('research:peer-joined', resolve));
    expect(await ask(b, 'research:open', { sessionId })).toMatchObject({ ok: true });
    const joinedB = await ask(b, 'research:join', { sessionId, rtpCapabilities: caps });
    expect(joinedB.ok && (joinedB.data['peers'] as ResearchPeer[]).map((p) => p.displayName)).toEqual([
      '王丽（英语）',
    ]);
    expect((await seen).displayName).toBe('周小燕（英语）');
    const session = (await t.platform.models.ResearchSession.findById(sessionId).lean())!;
    expect(session.state).toBe('live');
    expect(session.attendeeIds).toHaveLength(2);
    expect(t.platform.rooms.get(sessionId)?.peers).toHaveLength(2);

    // The last one out closes the room.
    await ask(a, 'research:leave', { sessionId });
    await ask(b, 'research:leave', { sessionId });
    expect(t.platform.rooms.get(sessionId)).toBeUndefined();
  });

  it('refuses teachers outside the alliance, media before opening, and bad payloads', async () => {
    const outsider = await researchSocket(t.url, await login(t.url, 'teacher2'));
    sockets.push(outsider);
    expect(await ask(outsider, 'research:open', { sessionId })).toMatchObject({
      ok: false,
      error: { name: 'NotFoundError' },
    });
    expect(await ask(outsider, 'research:transport', { sessionId, direction: 'send' })).toMatchObject({
      ok: false,
      error: { name: 'InvalidStateError' },
    });
    expect(await ask(outsider, 'research:open', { sessionId: 'not-an-id' })).toMatchObject({
      ok: false,
      error: { name: 'ValidationError' },
    });
    // No token, no socket.
    await expect(researchSocket(t.url, 'forged')).rejects.toThrow();
  });

  it('shares the lesson board: the leading teacher draws and pages for everyone, a late joiner gets the same board, and only the pen holder writes besides the leader', async () => {
    const lead = await seated('teacher');
    const member = await seated('teacher3');
    expect(lead.opened).toMatchObject({ ok: true, data: { kind: 'state', state: { seq: 0 } } });
    const seen = boardOps(member.socket);

    expect(await ask(lead.socket, 'research:board-change', { sessionId, change: stroke('s1') })).toEqual({
      ok: true,
      data: { seq: 1 },
    });
    const page = { t: 'addPages', pages: [{ id: 'p2', background: null }], after: null };
    expect(await ask(lead.socket, 'research:board-change', { sessionId, change: page })).toMatchObject({
      ok: true,
      data: { seq: 2 },
    });
    expect(await waitFor(() => seen.length === 2, 5000)).toBe(true);
    expect(seen.map((op) => [op.seq, op.change.t, op.by.role])).toEqual([
      [1, 'draw', 'teacher'],
      [2, 'addPages', 'teacher'],
    ]);

    // Without the pen a member changes nothing; pages and the pen stay the leader's.
    expect(
      await ask(member.socket, 'research:board-change', { sessionId, change: stroke('m1') }),
    ).toMatchObject({ ok: false, error: { name: 'ForbiddenError' } });
    expect(
      await ask(member.socket, 'research:board-change', { sessionId, change: { t: 'page', page: 'p1' } }),
    ).toMatchObject({ ok: false, error: { name: 'ForbiddenError' } });
    // Bad input: a named error, nothing kept.
    expect(
      await ask(lead.socket, 'research:board-change', { sessionId, change: { t: 'draw', id: 'x' } }),
    ).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
    const outsider = '0123456789abcdef01234567';
    expect(
      await ask(lead.socket, 'research:board-change', { sessionId, change: { t: 'pen', holder: outsider } }),
    ).toMatchObject({ ok: false, error: { name: 'NotFoundError' } });
    expect(await ask(member.socket, 'research:board-laser', { sessionId, point: null })).toMatchObject({
      ok: false,
      error: { name: 'ForbiddenError' },
    });

    // Given the pen, the member writes; everyone sees it.
    const memberId = (await t.platform.models.User.findOne({ username: 'teacher3' }).lean())!._id.toString();
    const leadSees = boardOps(lead.socket);
    expect(
      await ask(lead.socket, 'research:board-change', { sessionId, change: { t: 'pen', holder: memberId } }),
    ).toMatchObject({ ok: true, data: { seq: 3 } });
    expect(
      await ask(member.socket, 'research:board-change', { sessionId, change: stroke('m2') }),
    ).toMatchObject({ ok: true, data: { seq: 4 } });
    expect(await waitFor(() => leadSees.some((op) => op.seq === 4), 5000)).toBe(true);
    expect(leadSees.find((op) => op.seq === 4)).toMatchObject({ by: { role: 'classroom', refId: memberId } });

    // A late joiner opens the board as it is now, and follows the next change live.
    const late = await seated('teacher4');
    expect(late.opened.ok).toBe(true);
    const state = (late.opened as unknown as { data: { kind: 'state'; state: BoardState } }).data.state;
    expect(state.seq).toBe(4);
    expect(state.page).toBe('p2');
    expect(state.penHolder).toBe(memberId);
    expect(state.items.map((i) => i.id).sort()).toEqual(['m2', 's1']);
    const lateSees = boardOps(late.socket);
    await ask(lead.socket, 'research:board-change', { sessionId, change: { t: 'page', page: 'p1' } });
    expect(await waitFor(() => lateSees.some((op) => op.seq === 5), 5000)).toBe(true);
    // Persisted like a lesson's board: the log replays to the same board.
    expect((await t.platform.boards.history(sessionId)).map((op) => op.seq)).toEqual([1, 2, 3, 4, 5]);
    for (const s of [lead.socket, member.socket, late.socket]) s.close();
  });

  it('gives each socket the lesson socket’s message budgets: a flood of laser moves is refused with TooManyRequestsError, a stroke’s pace on another socket passes', async () => {
    const flooder = await seated('teacher');
    const steady = await seated('teacher');
    const laser = (x: number) => ({ sessionId, point: { page: 'p1', x, y: 100 } });
    // Twice the board's budget (200 a second) at once: the first pass, the rest are refused.
    const flood = await Promise.all(
      Array.from({ length: 400 }, (_, i) => ask(flooder.socket, 'research:board-laser', laser(i))),
    );
    const refused = flood.filter((r) => !r.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(flood.filter((r) => r.ok).length).toBeGreaterThanOrEqual(200);
    for (const r of refused)
      expect(r).toMatchObject({
        ok: false,
        error: {
          name: 'TooManyRequestsError',
          code: 'TOO_MANY_REQUESTS',
          message: 'too many board messages: slow down',
        },
      });
    // A second's worth of a stroke (a message per frame) from another socket, meanwhile: all pass.
    const pace = await Promise.all(
      Array.from({ length: 60 }, (_, i) => ask(steady.socket, 'research:board-laser', laser(i))),
    );
    expect(pace.every((r) => r.ok)).toBe(true);
    // Refused, not thrown out: the flooder is still connected, and its other budget untouched.
    expect(flooder.socket.connected).toBe(true);
    expect(await ask(flooder.socket, 'research:board-open', { sessionId, since: null })).toMatchObject({
      ok: true,
    });
    for (const s of [flooder.socket, steady.socket]) s.close();
  });

  it('records the session like a lesson: ended by its leading teacher, it is composed and listed in the library as a 教研活动 of its alliance', async () => {
    const { platform } = t;
    const a = await researchSocket(t.url, await login(t.url, 'teacher'));
    sockets.push(a);
    const opened = await ask(a, 'research:open', { sessionId });
    const caps = (opened as unknown as { data: { routerRtpCapabilities: Record<string, unknown> } }).data
      .routerRtpCapabilities;
    expect(await ask(a, 'research:join', { sessionId, rtpCapabilities: caps })).toMatchObject({ ok: true });
    // The leading teacher's camera and voice, sent by ffmpeg into the session's room.
    const room = platform.rooms.get(sessionId)!;
    const video = await room.createPlainTransport(a.id!, 'send', { comedia: true, rtcpMux: false });
    await room.produce(a.id!, video.id, 'video', 'camera', TEST_VIDEO_RTP);
    const audio = await room.createPlainTransport(a.id!, 'send', { comedia: true, rtcpMux: false });
    await room.produce(a.id!, audio.id, 'audio', 'mic', TEST_AUDIO_RTP);
    senders.push(
      sendKeyedTestVideo(video.port, video.rtcpPort!, 30),
      sendTestAudio(audio.port, audio.rtcpPort!, 30),
    );
    const recording = async () =>
      await platform.models.Recording.findOne({ lessonId: sessionId }).lean<Recording>();
    expect(await waitFor(async () => ((await recording())?.runs.length ?? 0) > 0, 15_000)).toBe(true);
    expect(await recording()).toMatchObject({ kind: 'research', state: 'recording', clusterId: null });
    // A few seconds recorded (a segment or two), then the leading teacher ends the session.
    await new Promise((r) => setTimeout(r, 3000));
    const teacher = await login(t.url, 'teacher');
    const ended = await fetch(`${t.url}/api/research-sessions/${sessionId}/end`, {
      method: 'POST',
      headers: { authorization: `Bearer ${teacher}` },
    });
    expect(ended.status).toBe(200);
    expect(await waitFor(async () => (await recording())?.state === 'ready', 90_000, 250)).toBe(true);
    expect(platform.rooms.get(sessionId)).toBeUndefined();

    // A member of the alliance finds it in the library, as the alliance's research session.
    const member = await login(t.url, 'teacher3');
    const list = (await (
      await fetch(`${t.url}/api/library/recordings`, { headers: { authorization: `Bearer ${member}` } })
    ).json()) as LibraryListResponse;
    const listed = list.recordings.find((r) => r.id === sessionId);
    expect(listed).toMatchObject({ kind: 'research', allianceName: DEMO_ALLIANCES[0], state: 'ready' });
    // Its board replays through the board routes as a lesson's does.
    const replay = await fetch(`${t.url}/api/lessons/${sessionId}/board`, {
      headers: { authorization: `Bearer ${member}` },
    });
    expect(((await replay.json()) as { ops: BoardOp[] }).ops).toHaveLength(5);
    // Once ended, its board is read-only.
    expect(await ask(a, 'research:board-open', { sessionId, since: null })).toMatchObject({ ok: false });
  }, 120_000);
});
