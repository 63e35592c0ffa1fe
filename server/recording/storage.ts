import fs from 'node:fs';
import path from 'node:path';

/**
 * Where recordings live on disk: one folder per lesson under the recordings root, holding a
 * folder per recorder run (raw segments) and the composed `lesson.mp4`.
 */
export class RecordingStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** The lesson's folder (lesson ids are 24 hex characters, checked by the caller's schema). */
  lessonDir(lessonId: string): string {
    if (!/^[0-9a-f]{24}$/i.test(lessonId)) throw new TypeError(`not a lesson id: ${lessonId}`);
    return path.join(this.root, lessonId);
  }

  mp4(lessonId: string): string {
    return path.join(this.lessonDir(lessonId), 'lesson.mp4');
  }

  /** How many run folders the lesson has (the next run's number). */
  runCount(lessonId: string): number {
    const dir = this.lessonDir(lessonId);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^\d{3}-/.test(f)).length : 0;
  }

  /** Bytes of the lesson's raw segments and of its MP4. */
  async sizes(lessonId: string): Promise<{ rawBytes: number; mp4Bytes: number }> {
    const dir = this.lessonDir(lessonId);
    let rawBytes = 0;
    let mp4Bytes = 0;
    const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        for (const f of await fs.promises.readdir(full))
          rawBytes += (await fs.promises.stat(path.join(full, f))).size;
      } else if (entry.name === 'lesson.mp4') mp4Bytes = (await fs.promises.stat(full)).size;
    }
    return { rawBytes, mp4Bytes };
  }

  /** Removes everything the lesson's recording wrote. */
  async remove(lessonId: string): Promise<void> {
    await fs.promises.rm(this.lessonDir(lessonId), { recursive: true, force: true });
  }
}
