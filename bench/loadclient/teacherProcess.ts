/**
 * The load client's teacher as a process of its own:
 *
 *   node --import tsx bench/loadclient/teacherProcess.ts <url> <username> <password> [start-later]
 *
 * Signs in, starts the current lesson if needed, publishes (TeacherPublisher), then writes
 * JSON lines to stdout: `{"event":"publishing",…}` once, `{"event":"status",…}` every
 * second (the lesson's link health and what the encoder sent per layer). With `start-later`
 * it publishes before the lesson is live (waiting in its media room) and presses start when
 * a line `start` comes on stdin, then writes `{"event":"started","startedAt":…}`. A line
 * `stop` or `end` (which also ends the lesson) on stdin closes it. A process of its own because wrtc's
 * media sources crash Node at exit unless the process ends with process.exit(), and so that
 * its CPU (three VP8 encodes) is read apart from the receivers'.
 */
import { createInterface } from 'node:readline';
import { TeacherPublisher } from './TeacherPublisher.ts';

function write(message: unknown): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function main(): Promise<void> {
  const [url, username, password, mode] = process.argv.slice(2);
  if (!url || !username || !password)
    throw new TypeError('usage: teacherProcess.ts <url> <username> <password>');
  const teacher = await TeacherPublisher.open(url, username, password);
  const startLater = mode === 'start-later';
  if (!startLater) await teacher.start();
  const publishedAt = Date.now();
  await teacher.publish();
  write({
    event: 'publishing',
    lessonId: teacher.lesson.id,
    startedAt: teacher.startedAt,
    publishedAt,
    readyAt: Date.now(),
  });
  const timer = setInterval(() => {
    void teacher
      .layersSent()
      .then((layers) => write({ event: 'status', health: [...teacher.health.values()], layers }));
  }, 1000);
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line === 'start' && startLater) {
      await teacher.start();
      write({ event: 'started', startedAt: teacher.startedAt });
      continue;
    }
    if (line !== 'stop' && line !== 'end') continue;
    clearInterval(timer);
    await teacher.close({ end: line === 'end' });
    break;
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `teacher: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
