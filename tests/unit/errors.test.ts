/**
 * Errors by class: each named error answers its status and stable code; anything else (a
 * TypeError from a bug included) is a fault, logged with a request id and answered 500 with
 * that id only. Driven through the real express app pieces (request ids, JSON body parser,
 * error handler) over real HTTP, with pino writing to memory.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypedEmitter } from '../../sfu/index.ts';
import type { ApiErrorBody } from '../../server/contract/api.ts';
import { ERROR_CODES } from '../../server/contract/errors.ts';
import {
  ArgumentError,
  ConflictError,
  ForbiddenError,
  LessonElsewhereError,
  LessonNotLiveError,
  MediaNodeUnavailableError,
  NotFoundError,
  PasswordChangeRequiredError,
  StalePlanError,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
  classify,
} from '../../server/errors.ts';
import { errorHandler, requestId } from '../../server/http/middleware.ts';
import { logListenerErrors } from '../../server/logger.ts';
import { text } from '../../scheduler/text.ts';

/** A pino logger whose lines are kept, parsed. */
function memoryLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('classify()', () => {
  it.each([
    [
      new ValidationError('bad', [{ path: 'a', message: 'required' }]),
      400,
      'INVALID_INPUT',
      'ValidationError',
    ],
    [new ArgumentError('page p9 does not exist'), 400, 'INVALID_ARGUMENT', 'TypeError'],
    [
      new UnauthorizedError('session expired', 'SESSION_EXPIRED'),
      401,
      'SESSION_EXPIRED',
      'UnauthorizedError',
    ],
    [new ForbiddenError('no'), 403, 'FORBIDDEN', 'ForbiddenError'],
    [new PasswordChangeRequiredError(), 403, 'PASSWORD_CHANGE_REQUIRED', 'ForbiddenError'],
    [new NotFoundError('none'), 404, 'NOT_FOUND', 'NotFoundError'],
    [new LessonNotLiveError('scheduled'), 409, 'LESSON_NOT_LIVE', 'InvalidStateError'],
    [new LessonElsewhereError('p2'), 409, 'LESSON_ELSEWHERE', 'InvalidStateError'],
    [new ConflictError('taken'), 409, 'CONFLICT', 'ConflictError'],
    [new StalePlanError(), 409, 'STALE_PLAN', 'ConflictError'],
    [new TooManyRequestsError(), 429, 'TOO_MANY_REQUESTS', 'TooManyRequestsError'],
    [new MediaNodeUnavailableError('down'), 503, 'MEDIA_NODE_UNAVAILABLE', 'MediaNodeUnavailableError'],
  ])('answers %s with its status and code', (error, status, code, name) => {
    expect(classify(error)).toMatchObject({ status, body: { name, code, message: error.message } });
    expect(ERROR_CODES).toContain(code);
  });

  it.each([
    [new ConflictError(text('课表为空', 'the timetable is empty')), 'ConflictError'],
    [new ArgumentError(text('没有这一页', 'no such page')), 'TypeError'],
    [new ValidationError(text('缺少此列', 'the column is missing')), 'ValidationError'],
    [new NotFoundError(text('找不到', 'not found')), 'NotFoundError'],
  ])('answers words for people in both languages as text, and both on one line as message (%s)', (error) => {
    const { body } = classify(error)!;
    // The client shows text in its interface language: an English-mode user reads body.text.en.
    expect(body.text).toEqual((error as { text: unknown }).text);
    expect(body.message).toBe(`${body.text!.zh} (${body.text!.en})`);
    expect(classify(new ConflictError('taken'))!.body).not.toHaveProperty('text');
  });

  it('says STALE_PLAN in both languages', () => {
    expect(classify(new StalePlanError())!.body.text?.en).toMatch(
      /^the data changed since the plan was made/,
    );
  });

  it('treats a TypeError not thrown on purpose, a plain Error and a thrown string as faults (null)', () => {
    let bug: unknown;
    try {
      (undefined as unknown as { x: number }).x.toFixed();
    } catch (error) {
      bug = error;
    }
    expect(bug).toBeInstanceOf(TypeError);
    expect(classify(bug)).toBeNull();
    expect(classify(new Error('ECONNRESET'))).toBeNull();
    // A name alone does not make a named error.
    expect(classify(Object.assign(new Error('x'), { name: 'ForbiddenError' }))).toBeNull();
    expect(classify('oops')).toBeNull();
  });
});

describe('the HTTP error handler', () => {
  let server: http.Server;
  let base: string;
  const { logger, lines } = memoryLogger();

  beforeAll(async () => {
    const app = express();
    app.use(requestId());
    app.use(express.json({ limit: '1kb' }));
    app.get('/bug', (req, response) => {
      // A bug: reads a property of a query parameter that was not sent.
      const name = req.query['name'] as unknown as { length: number };
      response.json({ length: name.length });
    });
    app.get('/missing', () => {
      throw new NotFoundError('no lesson 42');
    });
    app.post('/body', (_req, response) => void response.json({ ok: true }));
    app.use(errorHandler(logger));
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers a TypeError from a bug with 500 INTERNAL and the request id it logged the error under', async () => {
    const res = await fetch(`${base}/bug`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as ApiErrorBody;
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.error).toEqual({
      name: 'InternalError',
      message: 'internal error',
      code: 'INTERNAL',
      requestId: id,
    });
    const logged = lines.find((l) => l['requestId'] === id);
    expect(logged).toMatchObject({ level: 50, method: 'GET', url: '/bug', err: { type: 'TypeError' } });
    expect(JSON.stringify(logged)).toContain('Cannot read properties of undefined');
  });

  it('answers a named error with its status and code, and logs nothing', async () => {
    const before = lines.length;
    const res = await fetch(`${base}/missing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ApiErrorBody).error).toEqual({
      name: 'NotFoundError',
      message: 'no lesson 42',
      code: 'NOT_FOUND',
    });
    expect(lines.length).toBe(before);
  });

  it('answers a malformed JSON body 400 INVALID_INPUT and a too large one 413 BODY_TOO_LARGE', async () => {
    const post = (body: string): Promise<Response> =>
      fetch(`${base}/body`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const malformed = await post('{"a":');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ApiErrorBody).error).toMatchObject({
      name: 'ValidationError',
      code: 'INVALID_INPUT',
    });
    const large = await post(JSON.stringify({ a: 'x'.repeat(2048) }));
    expect(large.status).toBe(413);
    expect(((await large.json()) as ApiErrorBody).error.code).toBe('BODY_TOO_LARGE');
  });
});

describe('listener errors of the typed emitters', () => {
  it('go to the pino logger with the emitter and the event', () => {
    const { logger, lines } = memoryLogger();
    logListenerErrors(logger);
    class Clock extends TypedEmitter<{ tick: [number] }> {}
    const clock = new Clock();
    clock.on('tick', () => {
      throw new RangeError('late');
    });
    clock.safeEmit('tick', 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      module: 'events',
      emitter: 'Clock',
      event: 'tick',
      err: { type: 'RangeError', message: 'late' },
    });
  });
});
