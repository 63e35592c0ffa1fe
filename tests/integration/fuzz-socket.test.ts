/**
 * A socket.io fuzzer: every client event of the contract (`SocketSchemas`) gets malformed
 * payloads — wrong types, missing fields, huge strings and arrays, 5,000-deep nesting,
 * query operators, prototype-pollution keys, binary, random values (fast-check, seeded) —
 * from the lesson's teacher and a classroom, both joined to a live lesson with a real
 * transport, so that a payload that passes validation reaches the handlers and mediasoup.
 *
 * The contract checked: every malformed payload is answered with a named error (never
 * InternalError, never silence); without an acknowledgement callback it is ignored; nothing
 * changes (the lesson, its board, its media, its interaction state, as read through the API
 * and as seen by a third, observing classroom); nobody is disconnected; the heap does not
 * grow with what was sent.
 *
 * The heap: the platform runs in this process, so `process.memoryUsage()` (heap and
 * ArrayBuffers) after a full collection (gc exposed at run time through v8 flags) is the
 * server's. After the full round and one round of the hostile payloads (the first one still
 * grows the heap: buffers and compiled code settle), it is measured before and after
 * {@link MEASURED_ROUNDS} more rounds of the very same hostile payloads (~13 MB each); the
 * growth must stay under {@link LEAK_LIMIT_BYTES} (seen: ~0.4 MB), and — so that the
 * measurement cannot pass trivially — keeping one round's payloads alive, as a leaking
 * handler would, must be measured above that limit (seen: ~36 MB).
 *
 * Each socket has a message budget, so long lists are sent from fresh sockets of the same
 * account; a TooManyRequestsError answer counts as a failure (the payload was not tested).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { io } from 'socket.io-client';
import { Decoder, Encoder } from 'socket.io-parser';
import type { Packet } from 'socket.io-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentLessonResponse, SfuStatsResponse } from '../../server/contract/api.ts';
import type { ClientToServerEvents } from '../../server/contract/events.ts';
import { SocketSchemas } from '../../server/contract/schemas.ts';
import { TEST_VIDEO_RTP } from '../helpers/media.ts';
import { login, removeDataDir, startPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { request } from '../helpers/socket.ts';
import type { ClientSocket } from '../helpers/socket.ts';

type EventName = keyof ClientToServerEvents;
const EVENTS = Object.keys(SocketSchemas) as EventName[];

/** mediasoup parameter objects: the schema passes them on whole, mediasoup must refuse junk. */
const OPAQUE = new Set(['rtpCapabilities', 'dtlsParameters', 'rtpParameters']);
/** Growth of the heap over the measured rounds that counts as a leak, bytes. */
const LEAK_LIMIT_BYTES = 4 * 1024 * 1024;
const MEASURED_ROUNDS = 2;
/** Requests a fuzzing socket has in flight at once. */
const IN_FLIGHT = 8;
/** Requests one socket sends (its budget: 150 messages per 10 s). */
const PER_SOCKET = 120;
const SEED = 20_260;

/**
 * A JSON text sent as it is. JSON.stringify overflows the stack at 5,000 levels (JSON.parse,
 * which the server runs, does not), so deep values are written by hand and spliced into
 * the packet by {@link RawJsonEncoder}.
 */
class RawJson {
  constructor(readonly text: string) {}
  /** The value the server gets. */
  parse(): unknown {
    return JSON.parse(this.text);
  }
}
const deepObject = (levels: number): RawJson =>
  new RawJson(`${'{"a":'.repeat(levels)}"bottom"${'}'.repeat(levels)}`);
const deepArray = (levels: number): RawJson => new RawJson(`${'['.repeat(levels)}${']'.repeat(levels)}`);

/** Applies `fn` to a payload that is a RawJson or holds some as fields (where the fuzzer puts them). */
function mapRaw(payload: unknown, fn: (raw: RawJson) => unknown): unknown {
  if (payload instanceof RawJson) return fn(payload);
  if (!payload || typeof payload !== 'object' || Array.isArray(payload) || Buffer.isBuffer(payload))
    return payload;
  if (!Object.values(payload).some((v) => v instanceof RawJson)) return payload;
  return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, v instanceof RawJson ? fn(v) : v]));
}

/** socket.io's encoder, but RawJson values go on the wire as their text. */
class RawJsonEncoder extends Encoder {
  override encode(packet: Packet): unknown[] {
    const raws: string[] = [];
    const data = Array.isArray(packet.data)
      ? (packet.data as unknown[]).map((arg) =>
          mapRaw(arg, (raw) => {
            raws.push(raw.text);
            return `\u0000raw${raws.length - 1}\u0000`;
          }),
        )
      : (packet.data as unknown);
    if (!raws.length) return super.encode(packet);
    let [text] = super.encode({ ...packet, data }) as [string];
    raws.forEach((raw, i) => (text = text.split(JSON.stringify(`\u0000raw${i}\u0000`)).join(raw)));
    return [text];
  }
}

/** Connects like tests/helpers/socket.ts, with the encoder that writes RawJson. */
async function connect(url: string, token: string): Promise<ClientSocket> {
  const socket: ClientSocket = io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    parser: { Encoder: RawJsonEncoder, Decoder },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Values of the wrong type for every field of every payload. */
const WRONG_TYPES: readonly (readonly [string, unknown])[] = [
  ['null', null],
  ['a number', 42],
  ['a string', 'x'],
  ['a boolean', true],
  ['an empty array', []],
];
/** Values an attacker sends: big, deep, query-shaped, prototype-polluting, binary. */
const HOSTILE: readonly (readonly [string, unknown])[] = [
  ['a huge string', 'x'.repeat(100_000)],
  ['a huge array', new Array<number>(30_000).fill(7)],
  ['5,000-deep objects', deepObject(5000)],
  ['5,000-deep arrays', deepArray(5000)],
  ['a query operator', { $gt: '' }],
  ['__proto__', JSON.parse('{"__proto__":{"polluted":"yes"},"codecs":[]}') as unknown],
  ['constructor.prototype', { constructor: { prototype: { polluted: 'yes' } } }],
  ['binary', Buffer.alloc(64 * 1024, 0xab)],
];

interface Case {
  event: EventName;
  label: string;
  payload: unknown;
  /** Carries one of the HOSTILE values. */
  hostile: boolean;
  /** A mediasoup object of junk that passes the schema: sent on the joined teacher's transport. */
  opaque: boolean;
}

/** Every malformed payload for `event`, derived from a valid one. */
function casesFor(event: EventName, valid: Record<string, unknown>): Case[] {
  const schema = SocketSchemas[event];
  const cases: Case[] = [];
  const add = (label: string, payload: unknown, hostile: boolean, opaqueField = false): void => {
    // Only what the contract refuses: a mutation that happens to be valid is not malformed.
    const received = mapRaw(payload, (raw) => raw.parse());
    if (opaqueField || !schema.safeParse(received).success)
      cases.push({ event, label, payload, hostile, opaque: opaqueField });
  };
  add('no payload', undefined, false);
  for (const [label, value] of WRONG_TYPES) add(`payload is ${label}`, value, false);
  for (const [label, value] of HOSTILE) add(`payload is ${label}`, value, true);
  for (const field of Object.keys(valid)) {
    const { [field]: _dropped, ...rest } = valid;
    add(`${field} missing`, rest, false);
    for (const [label, value] of WRONG_TYPES)
      add(`${field} is ${label}`, { ...valid, [field]: value }, false);
    for (const [label, value] of HOSTILE) {
      const anObject =
        value instanceof RawJson
          ? value.text.startsWith('{')
          : typeof value === 'object' && !Array.isArray(value);
      // A mediasoup object that is an object of junk passes the schema and must be refused further on.
      add(`${field} is ${label}`, { ...valid, [field]: value }, true, OPAQUE.has(field) && anObject);
    }
  }
  // Random values (seeded): whole payloads, and each ordinary field of a valid one.
  const anything = fc.anything({ maxDepth: 3, maxKeys: 4, withNullPrototype: true });
  fc.sample(anything, { seed: SEED, numRuns: 3 }).forEach((v, i) => add(`random payload #${i}`, v, false));
  for (const field of Object.keys(valid).filter((f) => !OPAQUE.has(f))) {
    fc.sample(anything, { seed: SEED + field.length, numRuns: 2 }).forEach((v, i) =>
      add(`random ${field} #${i}`, { ...valid, [field]: v }, false),
    );
  }
  return cases;
}

/** Bytes a payload takes on the wire, roughly (binary by length). */
function wireBytes(payload: unknown): number {
  const bytes = (value: unknown): number =>
    value instanceof RawJson
      ? value.text.length
      : Buffer.isBuffer(value)
        ? value.length
        : (JSON.stringify(value ?? null) ?? '').length;
  if (
    payload &&
    typeof payload === 'object' &&
    !Array.isArray(payload) &&
    !(payload instanceof RawJson) &&
    !Buffer.isBuffer(payload)
  )
    return Object.entries(payload).reduce((n, [key, value]) => n + key.length + bytes(value), 0);
  return bytes(payload);
}

/** A full garbage collection: gc is exposed at run time, without a node flag on vitest. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

describe('socket.io events under malformed payloads', () => {
  let t: TestPlatform;
  let lessonId: string;
  let classroomId: string;
  let teacher: ClientSocket;
  let classroom: ClientSocket;
  let observer: ClientSocket;
  let newcomer: ClientSocket;
  let adminToken: string;
  let teacherToken: string;
  let classroomToken: string;
  const gc = collector();
  /** Events the observer received that mean something changed. */
  const changes: string[] = [];
  const disconnects: string[] = [];

  const get = async <T>(path: string, token: string): Promise<T> => {
    const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, `GET ${path}`).toBe(200);
    return (await res.json()) as T;
  };
  /** The lesson, its board and its media as the API shows them. */
  const snapshot = async (): Promise<unknown> => {
    const sfu = await get<SfuStatsResponse>('/api/admin/sfu', adminToken);
    return {
      lesson: await get(`/api/lessons/${lessonId}`, teacherToken),
      board: await get(`/api/lessons/${lessonId}/board`, teacherToken),
      rooms: sfu.rooms,
      totals: sfu.totals,
    };
  };
  const heapAfterGc = (): number => {
    gc();
    gc();
    // Binary payloads live outside the JS heap, in ArrayBuffers.
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };

  beforeAll(async () => {
    t = await startPlatform();
    adminToken = await login(t.url, 'admin');
    teacherToken = await login(t.url, 'teacher');
    const current = await get<CurrentLessonResponse>('/api/lessons/current', teacherToken);
    const lesson = current.lesson!;
    lessonId = lesson.id;
    classroomId = lesson.classrooms[1]!.id;
    // The router's own capabilities are a valid stand-in for a browser's.
    const caps = await t.platform.rooms.getOrCreate('caps');
    const rtpCapabilities = caps.rtpCapabilities as unknown as Record<string, unknown>;
    caps.close();

    teacher = await connect(t.url, teacherToken);
    expect(await request(teacher, 'lesson:start', { lessonId })).toMatchObject({ ok: true });
    classroomToken = await login(t.url, 'classroom2');
    classroom = await connect(t.url, classroomToken);
    observer = await connect(t.url, await login(t.url, 'classroom1'));
    newcomer = await connect(t.url, await login(t.url, 'classroom3'));
    for (const s of [teacher, classroom, observer]) {
      expect(await request(s, 'lesson:join', { lessonId, rtpCapabilities })).toMatchObject({ ok: true });
      expect(await request(s, 'board:open', { lessonId, since: null })).toMatchObject({ ok: true });
    }
    // Some state for the fuzzer to leave alone: a stroke, a raised hand, a spotlight.
    const stroke = [
      {
        t: 'draw',
        id: 's1',
        page: 'p1',
        tool: 'pen',
        color: '#112233',
        width: 3,
        points: [10, 10, 0.5, 50, 50, 0.5],
      },
      { t: 'finish', id: 's1' },
    ];
    for (const change of stroke) {
      expect(await request(teacher, 'board:change', { lessonId, change })).toMatchObject({ ok: true });
    }
    expect(await request(classroom, 'hand:set', { lessonId, raised: true })).toMatchObject({ ok: true });
    expect(await request(teacher, 'spotlight:set', { lessonId, classroomId })).toMatchObject({ ok: true });
    for (const s of [teacher, classroom, observer, newcomer]) {
      s.on('disconnect', (reason) => disconnects.push(`${s.id ?? '?'}: ${reason}`));
    }
    observer.onAny((event: string) => {
      if (event !== 'lesson:health') changes.push(event);
    });
  });
  afterAll(async () => {
    for (const s of [teacher, classroom, observer, newcomer]) s?.close();
    await t?.close();
    if (t) removeDataDir(t.dataDir);
  });

  it('answers every malformed payload with a named error, changes nothing, disconnects nobody, leaks nothing', async () => {
    const send = await request(teacher, 'transport:create', { lessonId, direction: 'send' });
    if (!send.ok) throw new Error(`transport:create: ${send.error.message}`);
    const transportId = send.data.id;
    // Settle what the setup started before the baseline is read.
    await new Promise((r) => setTimeout(r, 300));
    changes.length = 0;
    const before = await snapshot();

    const valid: Record<EventName, Record<string, unknown>> = {
      'lesson:join': { lessonId, rtpCapabilities: { codecs: [] } },
      'lesson:leave': { lessonId },
      'lesson:start': { lessonId },
      'lesson:end': { lessonId },
      'transport:create': { lessonId, direction: 'send' },
      'transport:restart-ice': { lessonId, transportId },
      'transport:connect': {
        lessonId,
        transportId,
        dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] },
      },
      produce: {
        lessonId,
        transportId,
        kind: 'video',
        source: 'camera',
        rtpParameters: { ...TEST_VIDEO_RTP },
      },
      consume: { lessonId, producerId: '6c1c4a0a-2b52-4d6a-9a7e-3f1d2d6c8b10' },
      'consumer:resume': { lessonId, consumerId: '6c1c4a0a-2b52-4d6a-9a7e-3f1d2d6c8b10' },
      'consumer:close': { lessonId, consumerId: '6c1c4a0a-2b52-4d6a-9a7e-3f1d2d6c8b10' },
      'board:open': { lessonId, since: 0 },
      'board:change': {
        lessonId,
        change: {
          t: 'draw',
          id: 's2',
          page: 'p1',
          tool: 'pen',
          color: '#000000',
          width: 2,
          points: [1, 2, 0.5],
        },
      },
      'board:laser': { lessonId, point: { page: 'p1', x: 1, y: 1 } },
      'hand:set': { lessonId, raised: false },
      'floor:set': { lessonId, classroomId },
      'spotlight:set': { lessonId, classroomId: null },
      'mute:set': { lessonId, classroomId, muted: true },
      'session:renew': { token: teacherToken },
      // 巡课: the teacher and the classroom are no watchers (refused past validation).
      'watch:join': { lessonId, rtpCapabilities: { codecs: [] }, mode: 'tile' },
      'watch:connect': {
        lessonId,
        transportId,
        dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] },
      },
      'watch:consume': { lessonId, producerId: '6c1c4a0a-2b52-4d6a-9a7e-3f1d2d6c8b10' },
      'watch:resume': { lessonId, consumerId: '6c1c4a0a-2b52-4d6a-9a7e-3f1d2d6c8b10' },
      'watch:leave': { lessonId },
      'watch:board': { lessonId, since: 0 },
    };
    const cases = EVENTS.flatMap((event) => casesFor(event, valid[event]));
    expect(new Set(cases.map((c) => c.event)).size).toBe(EVENTS.length);
    // A joined participant that joins again replaces itself (a reloaded kiosk): lesson:join
    // comes from a classroom not yet in the lesson, so that the others keep their transports.
    const joins = cases.filter((c) => c.event === 'lesson:join');
    const others = cases.filter((c) => c.event !== 'lesson:join');
    // The teacher sends everything (mediasoup junk on its own transport), the classroom every
    // third case (past validation its role matters to few handlers); the measured rounds
    // repeat the teacher's hostile cases.
    const opaque = others.filter((c) => c.opaque);
    const plain = others.filter((c) => !c.opaque);
    const fromClassroom = plain.filter((_, i) => i % 3 === 0);
    const heavy = plain.filter((c) => c.hostile);
    const heavyOpaque = opaque.filter((c) => c.hostile);
    const heavyBytes = [...heavy, ...heavyOpaque].reduce((n, c) => n + wireBytes(c.payload), 0);
    const wrong = new Set<string>();
    /**
     * Sends `list` from `sockets`, a few requests in flight at a time (as a busy client
     * would). Each socket has a message budget (150 per 10 s): a long list moves on to a
     * fresh socket of the same account before the budget runs out, so that every payload
     * reaches validation and the handlers rather than the budget's refusal.
     */
    const fuzzFrom = async (
      who: string,
      sockets: () => Promise<ClientSocket>,
      list: Case[],
    ): Promise<void> => {
      let socket = await sockets();
      let sent = 0;
      for (let at = 0; at < list.length; at += IN_FLIGHT) {
        if (sent >= PER_SOCKET) [socket, sent] = [await sockets(), 0];
        sent += IN_FLIGHT;
        await Promise.all(
          list.slice(at, at + IN_FLIGHT).map(async (c) => {
            const answer: unknown = await request(socket, c.event, c.payload).catch((error: Error) => ({
              noAnswer: error.message,
            }));
            const reply = answer as { ok?: boolean; error?: { name?: unknown } };
            if (
              reply.ok !== false ||
              typeof reply.error?.name !== 'string' ||
              reply.error.name === 'InternalError' ||
              reply.error.name === 'TooManyRequestsError'
            )
              wrong.add(`${who} ${c.event} (${c.label}) → ${JSON.stringify(answer).slice(0, 200)}`);
          }),
        );
      }
      // Without an acknowledgement, or with something else in its place: ignored.
      const untyped = socket as unknown as { emit(...args: unknown[]): void };
      const emit = (...args: unknown[]): void => untyped.emit(...args);
      for (const c of list.filter((_, i) => i % 4 === 0)) {
        emit(c.event, c.payload);
        emit(c.event, c.payload, 'not a callback');
      }
      // Events outside the contract, named after Object.prototype's members.
      for (const name of ['__proto__', 'constructor', 'hasOwnProperty', 'toString'])
        emit(name, { lessonId }, () => undefined);
    };
    const pools: ClientSocket[][] = [];
    /** Fresh sockets of an account, each closed as the next one opens. */
    const fresh = (token: string): (() => Promise<ClientSocket>) => {
      const mine: ClientSocket[] = [];
      pools.push(mine);
      return async () => {
        for (const old of mine.splice(0)) old.close();
        mine.push(await connect(t.url, token));
        return mine[0]!;
      };
    };
    const the = (socket: ClientSocket) => (): Promise<ClientSocket> => Promise.resolve(socket);
    const round = async (opaqueCases: Case[], plainCases: Case[]): Promise<void> => {
      await fuzzFrom('teacher (joined)', the(teacher), opaqueCases);
      await fuzzFrom('teacher', fresh(teacherToken), plainCases);
    };
    await Promise.all([
      round(opaque, plain),
      fuzzFrom('classroom', fresh(classroomToken), fromClassroom),
      fuzzFrom('newcomer', the(newcomer), joins),
    ]);
    // One more heavy round before the baseline: the first one still grows the heap (buffers
    // and compiled code settle), the later ones do not.
    await round(heavyOpaque, heavy);
    const baseline = heapAfterGc();
    for (let i = 0; i < MEASURED_ROUNDS; i++) await round(heavyOpaque, heavy);
    const after = heapAfterGc();

    expect(
      [...wrong],
      `${wrong.size} payloads not refused with a named error:\n${[...wrong].slice(0, 40).join('\n')}`,
    ).toEqual([]);
    // Still answering, everyone still connected, nothing changed.
    const health = await fetch(`${t.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await request(observer, 'hand:set', { lessonId: 'x' })).toMatchObject({
      ok: false,
      error: { name: 'ValidationError' },
    });
    expect(disconnects).toEqual([]);
    expect([teacher, classroom, observer, newcomer].map((s) => s.connected)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(changes, 'events the observing classroom received').toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();

    // The heap: flat over MEASURED_ROUNDS rounds of (heavyBytes) each …
    const growth = after - baseline;
    const sent = `${MEASURED_ROUNDS} rounds of ${(heavyBytes / 1e6).toFixed(0)} MB`;
    expect(heavyBytes, 'a round sends well over the leak limit').toBeGreaterThan(2 * LEAK_LIMIT_BYTES);
    expect(growth, `heap grew ${(growth / 1e6).toFixed(1)} MB over ${sent}`).toBeLessThan(LEAK_LIMIT_BYTES);
    // … and the measurement sees a leak of one round's payloads, as a handler that kept what
    // it was sent would hold them.
    const kept = [...heavy, ...heavyOpaque].map((c) => {
      const parsed = mapRaw(c.payload, (raw) => raw.parse());
      return parsed === c.payload ? structuredClone(c.payload) : parsed;
    });
    const leaked = heapAfterGc() - after;
    expect(kept.length).toBe(heavy.length + heavyOpaque.length);
    for (const s of pools.flat()) s.close();
    expect(leaked, `one round kept: ${(leaked / 1e6).toFixed(1)} MB`).toBeGreaterThan(LEAK_LIMIT_BYTES);
  }, 120_000);
});
