import type { types } from 'mediasoup';

/** A recorder's copy of one producer: a consumer on a plain transport of its own. */
export interface RecordingTap {
  /** What the recorder needs of the consumer (a remote tap carries these over RPC). */
  readonly consumer: Pick<types.Consumer, 'kind' | 'producerId' | 'rtpParameters'>;
  /** Starts the flow (consumers are created paused) and asks for a key frame. */
  resume(): Promise<void>;
  /** Asks the sender for a key frame (video only; audio: no-op). */
  requestKeyFrame(): Promise<void>;
  /** Closes the consumer and its transport. */
  close(): void;
  readonly closed: boolean;
}

/**
 * Creates a tap of `producer` on `router` sending RTP to `remote` (a recorder on this host):
 * a plain transport with RTCP muxed on the RTP port and no comedia (the recorder only
 * listens; mediasoup is told where it is), and a paused consumer of the top simulcast layer.
 */
export async function createTap(
  router: types.Router,
  producer: types.Producer,
  remote: { ip: string; port: number },
  listenIp = '127.0.0.1',
): Promise<RecordingTap> {
  const transport = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: listenIp },
    rtcpMux: true,
    comedia: false,
    appData: { recording: true },
  });
  try {
    await transport.connect({ ip: remote.ip, port: remote.port });
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
      paused: true,
      appData: { recording: true },
    });
    if (consumer.type === 'simulcast') {
      const layers = producer.rtpParameters.encodings?.length ?? 1;
      await consumer.setPreferredLayers({ spatialLayer: layers - 1, temporalLayer: 2 });
    }
    consumer.on('producerclose', () => transport.close());
    const requestKeyFrame = async (): Promise<void> => {
      if (consumer.kind === 'video' && !consumer.closed) await consumer.requestKeyFrame();
    };
    return {
      consumer,
      async resume() {
        if (consumer.closed) return;
        await consumer.resume();
        await requestKeyFrame();
      },
      requestKeyFrame,
      close: () => transport.close(),
      get closed() {
        return transport.closed;
      },
    };
  } catch (error) {
    transport.close();
    throw error;
  }
}
