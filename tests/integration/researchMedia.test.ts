import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResearchPeer } from '../../server/contract/research.ts';
import { DEMO_ALLIANCES } from '../../server/seed/research.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
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

describe('research session media (N+N) over the /research namespace, real mediasoup', () => {
  let t: TestPlatform;
  let sessionId: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startPlatform();
    const m = t.platform.models;
    const alliance = (await m.Alliance.findOne({ name: DEMO_ALLIANCES[0] }).lean())!;
    sessionId = (await m.ResearchSession.findOne({ allianceId: alliance._id }).lean())!._id.toString();
  }, 60_000);
  afterAll(async () => {
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
});
