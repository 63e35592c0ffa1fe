import { RoomRegistry, WorkerPool } from '../../sfu/index.ts';
import type { PeerInfo } from '../../sfu/index.ts';
import { firstPayloadType, ingestPorts } from './fanout.ts';
import type { Fanout, FanoutOptions } from './fanout.ts';
import { killPid, onExit } from './reaper.ts';
import { sourceRtpParameters } from './source.ts';

const TEACHER: PeerInfo = {
  peerId: 'bench-teacher',
  role: 'teacher',
  refId: 'teacher',
  displayName: 'Teacher',
};

/**
 * The fan-out through the platform's own API, as the server drives it: a worker pool, a
 * lesson room from the registry, the teacher's plain-transport ingest, and one classroom
 * peer per receiver consuming the teacher's camera and microphone.
 */
export async function createPlatformFanout({ sinkPorts }: FanoutOptions): Promise<Fanout> {
  const pool = await WorkerPool.create({ numWorkers: 1 });
  const pids = pool.pids;
  const unregister = onExit(() => pids.forEach(killPid));
  try {
    const rooms = new RoomRegistry(pool, { listen: { ip: '127.0.0.1' } });
    const room = await rooms.getOrCreate('bench-lesson');
    room.addPeer(TEACHER, room.rtpCapabilities);
    const ingest = () => room.createPlainTransport(TEACHER.peerId, 'send', { comedia: true, rtcpMux: false });
    const videoIn = await ingest();
    const audioIn = await ingest();
    const rtp = sourceRtpParameters();
    const producerIds = [
      await room.produce(TEACHER.peerId, videoIn.id, 'video', 'camera', rtp.video),
      await room.produce(TEACHER.peerId, audioIn.id, 'audio', 'mic', rtp.audio),
    ];
    const payloadTypes = { video: -1, audio: -1 };
    for (const [i, port] of sinkPorts.entries()) {
      const peerId = `bench-classroom-${i}`;
      const info: PeerInfo = {
        peerId,
        role: 'classroom',
        refId: `classroom-${i}`,
        displayName: `Classroom ${i}`,
      };
      room.addPeer(info, room.rtpCapabilities);
      const out = await room.createPlainTransport(peerId, 'recv');
      await room.connectPlainTransport(peerId, out.id, { ip: '127.0.0.1', port });
      for (const producerId of producerIds) {
        const consumer = await room.consume(peerId, producerId);
        await room.resumeConsumer(peerId, consumer.id);
        payloadTypes[consumer.kind] = firstPayloadType(consumer.rtpParameters);
      }
    }
    return {
      path: 'platform',
      videoIngest: ingestPorts(videoIn.port, videoIn.rtcpPort),
      audioIngest: ingestPorts(audioIn.port, audioIn.rtcpPort),
      payloadTypes,
      workerPids: pids,
      async usage() {
        const usages = await pool.resourceUsage();
        return {
          cpuMs: usages.reduce((sum, u) => sum + u.cpuMs, 0),
          maxRssKiB: Math.max(0, ...usages.map((u) => u.maxRssKiB)),
        };
      },
      close() {
        rooms.closeAll('ended');
        pool.close();
        unregister();
      },
    };
  } catch (error) {
    pool.close();
    unregister();
    throw error;
  }
}
