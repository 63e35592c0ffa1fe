import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io';
import type {
  Ack,
  AckData,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../server/contract/events.ts';
import { LESSON_MEDIA_CODECS } from '../../sfu/media.ts';
import { killPid, onExit } from './reaper.ts';

const LESSON_ID = 'bare-lesson';
const LISTEN: types.TransportListenInfo[] = (['udp', 'tcp'] as const).map((protocol) => ({
  protocol,
  ip: '127.0.0.1',
}));

/** A bare mediasoup server that the load client can drive as it drives the platform. */
export interface BareServer {
  url: string;
  workerPid: number;
  close(): Promise<void>;
}

interface BarePeer {
  transports: Map<string, types.WebRtcTransport>;
  consumers: Map<string, types.Consumer>;
  rtpCapabilities: types.RtpCapabilities | null;
}

/**
 * The baseline of bench:sfu: one mediasoup worker and router written straight against
 * mediasoup, behind the least signaling the load client needs (the platform's sign-in,
 * current-lesson and capabilities routes, and its socket events for joining, transports,
 * producing and consuming, with the same event names and acknowledgements), and nothing else:
 * no accounts, database, authorization, payload validation, link budgets, layer policy,
 * health or attendance. WebRTC transports as the platform's (UDP and TCP on loopback, 1 Mbit/s
 * initial estimate); mediasoup picks each consumer's layer by its own estimate. The same
 * teacher (wrtc) and classrooms (rtcsink) then load both, so the difference is the platform's.
 */
export async function startBareServer(): Promise<BareServer> {
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const unregister = onExit(() => killPid(worker.pid));
  const router = await worker.createRouter({ mediaCodecs: LESSON_MEDIA_CODECS });
  const producers: types.Producer[] = [];
  const httpServer = http.createServer((req, res) => {
    const send = (body: unknown): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && req.url === '/api/auth/login') {
      req.resume();
      req.on('end', () => send({ token: 'bare' }));
    } else if (req.url === '/api/lessons/current') {
      send({ lesson: { id: LESSON_ID, state: 'live' }, upcoming: [], next: null });
    } else if (req.url === `/api/lessons/${LESSON_ID}/rtp-capabilities`) {
      send({ routerRtpCapabilities: router.rtpCapabilities });
    } else {
      res.writeHead(404).end();
    }
  });
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, { serveClient: false });
  io.on('connection', (socket) => {
    const peer: BarePeer = { transports: new Map(), consumers: new Map(), rtpCapabilities: null };
    handle(socket, 'lesson:start', () => ({}) as never);
    handle(socket, 'lesson:join', ({ rtpCapabilities }) => {
      peer.rtpCapabilities = rtpCapabilities;
      void socket.join(LESSON_ID);
      return {
        peerId: socket.id,
        producers: producers.map((p) => ({
          producerId: p.id,
          peerId: 'teacher',
          kind: p.kind,
          source: p.kind === 'video' ? 'camera' : 'mic',
        })),
      } as never;
    });
    handle(socket, 'lesson:leave', () => {
      for (const t of peer.transports.values()) t.close();
      return null;
    });
    handle(socket, 'transport:create', async () => {
      const t = await router.createWebRtcTransport({
        listenInfos: LISTEN,
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        initialAvailableOutgoingBitrate: 1_000_000,
      });
      peer.transports.set(t.id, t);
      const { id, iceParameters, iceCandidates, dtlsParameters } = t;
      return { id, iceParameters, iceCandidates, dtlsParameters };
    });
    handle(socket, 'transport:connect', async ({ transportId, dtlsParameters }) => {
      await transportOf(peer, transportId).connect({
        dtlsParameters: dtlsParameters as unknown as types.DtlsParameters,
      });
      return null;
    });
    handle(socket, 'produce', async ({ transportId, kind, source, rtpParameters }) => {
      const producer = await transportOf(peer, transportId).produce({
        kind,
        rtpParameters: rtpParameters as unknown as types.RtpParameters,
      });
      producers.push(producer);
      socket.to(LESSON_ID).emit('producer:new', { producerId: producer.id, peerId: 'teacher', kind, source });
      return { producerId: producer.id };
    });
    handle(socket, 'consume', async ({ producerId }) => {
      const transport = [...peer.transports.values()][0];
      if (!transport || !peer.rtpCapabilities) throw new Error('no receive transport');
      const consumer = await transport.consume({
        producerId,
        rtpCapabilities: peer.rtpCapabilities,
        paused: true,
      });
      peer.consumers.set(consumer.id, consumer);
      return {
        id: consumer.id,
        producerId,
        peerId: 'teacher',
        kind: consumer.kind,
        source: consumer.kind === 'video' ? 'camera' : 'mic',
        rtpParameters: consumer.rtpParameters,
      } as never;
    });
    handle(socket, 'consumer:resume', async ({ consumerId }) => {
      await peer.consumers.get(consumerId)?.resume();
      return null;
    });
    socket.on('disconnect', () => {
      for (const t of peer.transports.values()) t.close();
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    workerPid: worker.pid,
    async close() {
      await io.close();
      worker.close();
      unregister();
    },
  };
}

function transportOf(peer: BarePeer, id: string): types.WebRtcTransport {
  const transport = peer.transports.get(id);
  if (!transport) throw new Error(`transport ${id} not found`);
  return transport;
}

type Payload<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];

/** Answers `event` with an acknowledgement, as the platform's handlers do (errors included). */
function handle<E extends keyof ClientToServerEvents>(
  socket: Socket<ClientToServerEvents, ServerToClientEvents>,
  event: E,
  handler: (payload: Payload<E>) => AckData<E> | Promise<AckData<E>>,
): void {
  const on = socket.on.bind(socket) as unknown as (
    e: string,
    listener: (payload: Payload<E>, ack: (response: Ack<AckData<E>>) => void) => void,
  ) => void;
  on(event, (payload, ack) => {
    Promise.resolve()
      .then(() => handler(payload))
      .then(
        (data) => ack({ ok: true, data }),
        (error: unknown) =>
          ack({
            ok: false,
            error: {
              name: 'Error',
              code: 'INTERNAL',
              message: error instanceof Error ? error.message : String(error),
            },
          }),
      );
  });
}
