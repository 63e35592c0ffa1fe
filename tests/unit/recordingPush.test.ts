import { describe, expect, it } from 'vitest';
import type { RecordingStatus } from '../../server/contract/library.ts';
import { createLogger } from '../../server/logger.ts';
import { pushRecordingStatus } from '../../server/signaling/recordingPush.ts';
import { TypedEmitter } from '../../sfu/index.ts';

/**
 * A recording source whose reads the test answers one by one: each `status` read is held
 * until `answer` (or `fail`), and reads the version the lesson had when it started.
 */
class HeldReads extends TypedEmitter<{ change: [lessonId: string] }> {
  readonly versions = new Map<string, number>();
  readonly reads: { lessonId: string; version: number; answer: () => void; fail: () => void }[] = [];

  change(lessonId: string): void {
    this.versions.set(lessonId, (this.versions.get(lessonId) ?? 0) + 1);
    this.safeEmit('change', lessonId);
  }

  status({ id }: { id: string }): Promise<RecordingStatus> {
    const version = this.versions.get(id) ?? 0;
    return new Promise((resolve, reject) =>
      this.reads.push({
        lessonId: id,
        version,
        answer: () => resolve(statusOf(id, version)),
        fail: () => reject(new Error('database gone')),
      }),
    );
  }
}

/** A status whose `gaps` carries the version it was read at. */
const statusOf = (lessonId: string, version: number): RecordingStatus => ({
  lessonId,
  clusterEnabled: true,
  lessonEnabled: true,
  state: 'recording',
  offReason: null,
  recordingNow: true,
  gaps: version,
});

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('recording status pushed to a lesson’s pages', () => {
  it('reads one lesson once at a time; changes during a read are read once more after it, so the last status sent is read after the last change', async () => {
    const source = new HeldReads();
    const sent: RecordingStatus[] = [];
    pushRecordingStatus(source, (s) => sent.push(s), createLogger('silent'));
    source.change('a');
    source.change('a');
    source.change('a');
    source.change('b');
    // One read per lesson under way, however many changes.
    expect(source.reads.map((r) => [r.lessonId, r.version])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    source.reads[0]!.answer();
    await settle();
    // Changed twice while it read: read once more, after them.
    expect(source.reads.map((r) => [r.lessonId, r.version])).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 3],
    ]);
    source.reads[2]!.answer();
    source.reads[1]!.answer();
    await settle();
    expect(sent.map((s) => [s.lessonId, s.gaps])).toEqual([
      ['a', 1],
      ['a', 3],
      ['b', 1],
    ]);
    expect(source.reads).toHaveLength(3);
  });

  it('a read that fails sends nothing and the next change is read again; once stopped, changes are not read', async () => {
    const source = new HeldReads();
    const sent: RecordingStatus[] = [];
    const stop = pushRecordingStatus(source, (s) => sent.push(s), createLogger('silent'));
    source.change('a');
    source.reads[0]!.fail();
    await settle();
    expect(sent).toEqual([]);
    source.change('a');
    source.reads[1]!.answer();
    await settle();
    expect(sent).toEqual([statusOf('a', 2)]);
    stop();
    source.change('a');
    expect(source.reads).toHaveLength(2);
  });
});
