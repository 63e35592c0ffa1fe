/**
 * The media plane's objects that go on the socket as they are (`peer:joined`, `producer:new`,
 * `lesson:health`, the peers and producers of `lesson:join`). sfu/ is a library and cannot
 * import the server's contract, and the contract does not import sfu/ (its types carry
 * mediasoup's): each side defines them, and here they are checked to be the same type, so
 * that one drifting from the other fails to compile.
 */
import type * as sfu from '../../sfu/index.ts';
import type { Assert, Same } from '../contract/check.ts';
import type * as wire from '../contract/events.ts';

export type _MediaSource = Assert<Same<sfu.MediaSource, wire.MediaSource>>;
/** Observers (巡课) are never announced: only participants go on the wire. */
export type _PeerInfo = Assert<Same<sfu.ParticipantInfo, wire.PeerInfo>>;
/** `pipedFrom` stays on the server: a broadcast's rooms announce the original producer. */
export type _ProducerInfo = Assert<Same<Omit<sfu.ProducerInfo, 'pipedFrom'>, wire.ProducerInfo>>;
export type _PeerHealth = Assert<Same<sfu.PeerHealth, wire.PeerHealth>>;
export type _CameraLayer = Assert<Same<sfu.CameraLayer, NonNullable<wire.PeerHealth['cameraLayer']>>>;
