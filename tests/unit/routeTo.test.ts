import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SignalingSocket } from '../../client/src/signaling.ts';
import type * as Signaling from '../../client/src/signaling.ts';
import { stubBrowserLanguage } from '../helpers/browserLanguage.ts';

// The client's signaling module loads its messages, which read the browser's language.
stubBrowserLanguage();
let routeTo: typeof Signaling.routeTo;
beforeAll(async () => {
  ({ routeTo } = await import('../../client/src/signaling.ts'));
});

/**
 * `routeTo` sends a page's socket to the process hosting a lesson: the load balancer hashes the
 * `route` of each connection's handshake. A real socket.io server records the route every
 * connection came with.
 */
describe('routeTo', () => {
  let server: Server;
  let url: string;
  /** The route of each connection, in order, and which are still open. */
  const routes: { route: string; open: boolean }[] = [];
  const clients: SignalingSocket[] = [];

  beforeEach(async () => {
    routes.length = 0;
    const httpServer = http.createServer();
    server = new Server(httpServer);
    server.on('connection', (socket) => {
      const entry = { route: String(socket.handshake.query['route']), open: true };
      routes.push(entry);
      socket.on('disconnect', () => (entry.open = false));
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await server.close();
  });

  const page = (): SignalingSocket => {
    const socket = io(url, { transports: ['websocket'], query: { route: 'page-1' } }) as SignalingSocket;
    clients.push(socket);
    return socket;
  };

  it('a socket still connecting (a page that joins as it loads) connects again under the lesson', async () => {
    const socket = page();
    expect(socket.connected).toBe(false);
    await routeTo(socket, 'lesson-1');
    expect(socket.connected).toBe(true);
    await expect.poll(() => routes.filter((r) => r.open).map((r) => r.route)).toEqual(['lesson-1']);
  });

  it('a connected socket reconnects under the lesson; once routed, it stays connected', async () => {
    const socket = page();
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await routeTo(socket, 'lesson-1');
    const id = socket.id;
    await routeTo(socket, 'lesson-1');
    expect(socket.id).toBe(id);
    expect(routes.map((r) => r.route)).toEqual(['page-1', 'lesson-1']);
    await expect.poll(() => routes.filter((r) => r.open).map((r) => r.route)).toEqual(['lesson-1']);
  });
});
