import type { RecordingStatus } from '../contract/library.ts';
import type { Logger } from '../logger.ts';

/** Where recording changes come from (`RecordingService`): its `change` event and its `status`. */
export interface RecordingChanges {
  on(event: 'change', listener: (lessonId: string) => void): unknown;
  off(event: 'change', listener: (lessonId: string) => void): unknown;
  status(lesson: { id: string }): Promise<RecordingStatus>;
}

/** Where recording switches are written and followed (`RecordingService`). */
export interface RecordingSwitches {
  on(event: 'switched', listener: (lessonIds: string[]) => void): unknown;
  off(event: 'switched', listener: (lessonIds: string[]) => void): unknown;
  follow(lessonIds: readonly string[]): Promise<void>;
}

/**
 * Carries recording switches between server processes: a switch written on one process
 * (`switched`) is sent to the others, and each follows the switches it receives for the
 * lessons it records. The process that wrote it has followed it already.
 * @returns stops sending (switches received still follow)
 */
export function relayRecordingSwitches(
  switches: RecordingSwitches,
  bus: {
    send: (lessonIds: string[]) => void;
    receive: (listener: (lessonIds: string[]) => void) => void;
  },
  logger: Logger,
): () => void {
  bus.receive((lessonIds) => {
    switches
      .follow(lessonIds)
      .catch((error: unknown) => logger.error({ err: error, lessonIds }, 'recording switch not followed'));
  });
  switches.on('switched', bus.send);
  return () => void switches.off('switched', bus.send);
}

/**
 * Sends a lesson's recording status each time it changes, read after the change was written
 * (so that its pages follow it instead of asking every few seconds). One read per lesson at a
 * time: changes that come while it reads are read once more after it, so the last status sent
 * is read after the last change, never overtaken by an older read that took longer.
 * @returns stops pushing (reads under way still send)
 */
export function pushRecordingStatus(
  changes: RecordingChanges,
  send: (status: RecordingStatus) => void,
  logger: Logger,
): () => void {
  /** Lessons being read → whether they changed again meanwhile. */
  const reading = new Map<string, boolean>();
  const read = async (lessonId: string): Promise<void> => {
    do {
      reading.set(lessonId, false);
      try {
        send(await changes.status({ id: lessonId }));
      } catch (error) {
        logger.warn({ err: error, lessonId }, 'recording status not pushed');
      }
    } while (reading.get(lessonId));
    reading.delete(lessonId);
  };
  const onChange = (lessonId: string): void => {
    if (reading.has(lessonId)) reading.set(lessonId, true);
    else void read(lessonId);
  };
  changes.on('change', onChange);
  return () => void changes.off('change', onChange);
}
