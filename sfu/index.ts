/**
 * The media plane: mediasoup workers, one router per live lesson, WebRTC transports.
 * Library code: takes options, reads no environment, imports no web or database code.
 */
export { ArgumentError, ForbiddenError, InvalidStateError, NotFoundError } from './errors.ts';
export { initialLayerCap, layerForBudget, nextLayerCap } from './downlink.ts';
export type { LayerCap } from './downlink.ts';
export { BroadcastRoom } from './BroadcastRoom.ts';
export type { BroadcastRoomOptions } from './BroadcastRoom.ts';
export { LessonRoom } from './LessonRoom.ts';
export type {
  CameraLayer,
  ConnectionHealth,
  ConsumerParams,
  LessonRoomEvents,
  LessonRoomOptions,
  PeerHealth,
  RoomStats,
  RtcListenOptions,
  TransportParams,
} from './LessonRoom.ts';
export { LESSON_MEDIA_CODECS } from './media.ts';
export type {
  MediaSource,
  ParticipantInfo,
  ParticipantRole,
  PeerInfo,
  PeerRole,
  ProducerInfo,
} from './Peer.ts';
export { LocalPlacement, RoomRegistry, edgeRoomKey, lessonOfRoom } from './RoomRegistry.ts';
export type {
  Awaitable,
  MediaRoom,
  MediaWorkers,
  PipeParams,
  PipedProducer,
  PlainTransportOptions,
  PlainTransportParams,
  RoomDefaults,
  RoomPlacement,
} from './MediaRoom.ts';
export type { RecordingTap } from './recording/tap.ts';
export { TypedEmitter, setListenerErrorReporter } from './TypedEmitter.ts';
export type { ListenerErrorReporter } from './TypedEmitter.ts';
export { WorkerPool } from './WorkerPool.ts';
export type { WorkerPoolOptions } from './WorkerPool.ts';
