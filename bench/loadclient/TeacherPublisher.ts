import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import type { CurrentLessonResponse, LessonSummary } from '../../server/contract/api.ts';
import type { MediaSource, PeerHealth } from '../../server/contract/events.ts';
import {
  CAMERA_CODEC_OPTIONS,
  MIC_CODEC_OPTIONS,
  TEACHER_CAMERA_DEGRADATION,
  TEACHER_CAMERA_LAYERS,
  TEACHER_CAPTURE,
} from '../../client/src/media/encodings.ts';
import { syntheticCamera, syntheticMicrophone } from './syntheticMedia.ts';
import type { SyntheticSource } from './syntheticMedia.ts';
import { connectSocket, getJson, request, signIn } from './signaling.ts';
import type { LoadSocket } from './signaling.ts';
import { WRTC_HANDLER, installWrtcGlobals } from './wrtc.ts';

/** What the teacher's encoder sends per simulcast layer (from wrtc's outbound-rtp stats). */
export interface LayerSent {
  rid: string;
  bytesSent: number;
  frameWidth: number;
  frameHeight: number;
}

/**
 * The teacher of a load run: signs in, starts the lesson if it is not live, joins its media
 * and publishes a synthetic camera at the product's capture size and simulcast layers
 * (client/src/media/encodings.ts) and a microphone, through wrtc (libwebrtc) under
 * mediasoup-client, as the studio page does in Chromium. Hears the lesson's link health
 * (sent to the teacher every 2 s), which carries the layer each classroom gets.
 */
export class TeacherPublisher {
  readonly #url: string;
  readonly #socket: LoadSocket;
  readonly lesson: LessonSummary;
  #transport: types.Transport | null = null;
  readonly #sources: SyntheticSource[] = [];
  /** The last link health of every participant, by peer id. */
  readonly health = new Map<string, PeerHealth>();
  /** When the teacher pressed start (Unix ms; 0 if the lesson was live already). */
  startedAt = 0;

  private constructor(url: string, socket: LoadSocket, lesson: LessonSummary) {
    this.#url = url;
    this.#socket = socket;
    this.lesson = lesson;
    socket.on('lesson:health', ({ lessonId, peers }) => {
      if (lessonId !== lesson.id) return;
      for (const peer of peers) this.health.set(peer.peerId, peer);
    });
  }

  /** Signs in as `username` and finds the teacher's current lesson (without starting it). */
  static async open(url: string, username: string, password: string): Promise<TeacherPublisher> {
    const token = await signIn(url, username, password);
    const current = await getJson<CurrentLessonResponse>(url, '/api/lessons/current', token);
    if (!current.lesson) throw new Error(`${username} has no lesson now`);
    const socket = await connectSocket(url, token, current.lesson.id);
    const publisher = new TeacherPublisher(url, socket, current.lesson);
    publisher.#token = token;
    return publisher;
  }

  #token = '';

  /** Starts the lesson (the teacher's button), unless it is live already. */
  async start(): Promise<void> {
    if (this.lesson.state === 'live') return;
    this.startedAt = Date.now();
    await request(this.#socket, 'lesson:start', { lessonId: this.lesson.id });
  }

  /** Joins the lesson's media and publishes the camera (three simulcast layers) and the microphone. */
  async publish(): Promise<void> {
    installWrtcGlobals();
    const lessonId = this.lesson.id;
    const { routerRtpCapabilities } = await getJson<{ routerRtpCapabilities: types.RtpCapabilities }>(
      this.#url,
      `/api/lessons/${lessonId}/rtp-capabilities`,
      this.#token,
    );
    const device = new Device({ handlerName: WRTC_HANDLER });
    await device.load({ routerRtpCapabilities });
    await request(this.#socket, 'lesson:join', {
      lessonId,
      rtpCapabilities: device.recvRtpCapabilities,
    });
    const options = await request(this.#socket, 'transport:create', { lessonId, direction: 'send' });
    const transport = device.createSendTransport(options as unknown as types.TransportOptions);
    this.#transport = transport;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      request(this.#socket, 'transport:connect', {
        lessonId,
        transportId: transport.id,
        dtlsParameters: dtlsParameters,
      }).then(callback, errback);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      request(this.#socket, 'produce', {
        lessonId,
        transportId: transport.id,
        kind,
        source: appData['source'] as MediaSource,
        rtpParameters: rtpParameters,
      }).then(({ producerId }) => callback({ id: producerId }), errback);
    });
    const mic = syntheticMicrophone();
    const camera = syntheticCamera(TEACHER_CAPTURE);
    this.#sources.push(mic, camera);
    await transport.produce({
      track: mic.track,
      codecOptions: MIC_CODEC_OPTIONS,
      appData: { source: 'mic' },
      stopTracks: false,
    });
    const producer = await transport.produce({
      track: camera.track,
      encodings: [...TEACHER_CAMERA_LAYERS],
      codecOptions: CAMERA_CODEC_OPTIONS,
      appData: { source: 'camera' },
      stopTracks: false,
    });
    // As the studio: frame rate given up before resolution (wrtc may not support it: kept as is then).
    const sender = producer.rtpSender;
    if (sender) {
      const parameters = sender.getParameters();
      parameters.degradationPreference = TEACHER_CAMERA_DEGRADATION;
      await sender.setParameters(parameters).catch(() => undefined);
    }
  }

  /** What the encoder has sent per simulcast layer so far. */
  async layersSent(): Promise<LayerSent[]> {
    const stats = (await this.#transport?.getStats()) ?? new Map<string, unknown>();
    const layers: LayerSent[] = [];
    for (const s of stats.values() as IterableIterator<Record<string, unknown>>) {
      if (s['type'] !== 'outbound-rtp' || s['kind'] !== 'video') continue;
      layers.push({
        rid: typeof s['rid'] === 'string' ? s['rid'] : '',
        bytesSent: Number(s['bytesSent'] ?? 0),
        frameWidth: Number(s['frameWidth'] ?? 0),
        frameHeight: Number(s['frameHeight'] ?? 0),
      });
    }
    return layers.sort((a, b) => a.rid.localeCompare(b.rid));
  }

  /** Leaves the lesson's media; with `end`, ends the lesson too. */
  async close({ end = false }: { end?: boolean } = {}): Promise<void> {
    const lessonId = this.lesson.id;
    for (const source of this.#sources.splice(0)) source.stop();
    this.#transport?.close();
    this.#transport = null;
    if (this.#socket.connected) {
      if (end) await request(this.#socket, 'lesson:end', { lessonId }, 5000).catch(() => undefined);
      else await request(this.#socket, 'lesson:leave', { lessonId }, 5000).catch(() => undefined);
    }
    this.#socket.close();
  }
}
