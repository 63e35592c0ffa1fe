import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { LESSON_MEDIA_CODECS } from '../../sfu/media.ts';
import { firstPayloadType, ingestPorts } from './fanout.ts';
import type { Fanout, FanoutOptions } from './fanout.ts';
import { killPid, onExit } from './reaper.ts';
import { sourceRtpParameters } from './source.ts';

const LISTEN: types.TransportListenInfo = { protocol: 'udp', ip: '127.0.0.1' };

/**
 * The reference: the same fan-out written directly against mediasoup, with no platform code
 * (only the codec list, which is data, comes from `sfu`).
 */
export async function createBareFanout({ sinkPorts }: FanoutOptions): Promise<Fanout> {
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const unregister = onExit(() => killPid(worker.pid));
  try {
    const router = await worker.createRouter({ mediaCodecs: LESSON_MEDIA_CODECS });
    const ingest = (): Promise<types.PlainTransport> =>
      router.createPlainTransport({ listenInfo: LISTEN, comedia: true, rtcpMux: false });
    const videoIn = await ingest();
    const audioIn = await ingest();
    const rtp = sourceRtpParameters();
    const videoProducer = await videoIn.produce({ kind: 'video', rtpParameters: rtp.video });
    const audioProducer = await audioIn.produce({ kind: 'audio', rtpParameters: rtp.audio });
    const payloadTypes = { video: -1, audio: -1 };
    for (const port of sinkPorts) {
      const out = await router.createPlainTransport({ listenInfo: LISTEN, rtcpMux: true });
      await out.connect({ ip: '127.0.0.1', port });
      for (const producer of [videoProducer, audioProducer]) {
        const consumer = await out.consume({
          producerId: producer.id,
          rtpCapabilities: router.rtpCapabilities,
          paused: true,
        });
        await consumer.resume();
        payloadTypes[consumer.kind] = firstPayloadType(consumer.rtpParameters);
      }
    }
    return {
      path: 'bare',
      videoIngest: ingestPorts(videoIn.tuple.localPort, videoIn.rtcpTuple?.localPort),
      audioIngest: ingestPorts(audioIn.tuple.localPort, audioIn.rtcpTuple?.localPort),
      payloadTypes,
      workerPids: [worker.pid],
      async usage() {
        const u = await worker.getResourceUsage();
        return { cpuMs: u.ru_utime + u.ru_stime, maxRssKiB: u.ru_maxrss };
      },
      close() {
        worker.close();
        unregister();
      },
    };
  } catch (error) {
    worker.close();
    unregister();
    throw error;
  }
}
