import type { CurrentLessonResponse, LessonSummary } from '../../server/contract/api.ts';
import { api } from './api.ts';
import type { SignalingSocket } from './signaling.ts';

const STAGE: Record<LessonSummary['state'], number> = { scheduled: 0, live: 1, ended: 2 };

/**
 * The lesson to show: the answer, unless it is the lesson shown in an earlier state (a lesson
 * only moves on: scheduled, live, ended). An answer read before a start or an end can arrive
 * after that start's or end's push (a page asks each time its socket connects).
 */
export function latest(shown: LessonSummary | null, answer: LessonSummary | null): LessonSummary | null {
  return answer && shown?.id === answer.id && STAGE[answer.state] < STAGE[shown.state] ? shown : answer;
}

/** At least this often the current lesson is asked for again (a change no push told of), ms. */
const SAFETY_MS = 5 * 60_000;
/** `changesAt` asks are spread over this long, so that a province's pages do not ask at one second, ms. */
const JITTER_MS = 20_000;
/** After a failed ask, the next one, ms. */
const RETRY_MS = 15_000;

/**
 * Follows the signed-in kiosk's or teacher's current lesson (`GET /api/lessons/current`): asks
 * now, again when the server says the clock alone changes the answer (`changesAt`), when told
 * (`lessons:changed`: a timetable published, a lesson moved), each time the socket connects
 * (pushes sent while it was away are lost: a reconnect after a cut, and the reconnect that sends
 * it to the lesson's process as the page joins — `routeTo` — which is no socket.io 'reconnect'),
 * and at least every SAFETY_MS. Starts and ends come as `lesson:state`, which the page handles
 * itself (with `latest`). Returns a function that stops following.
 */
export function followCurrentLesson(
  socket: SignalingSocket,
  onAnswer: (answer: CurrentLessonResponse) => void,
  onError: (error: Error) => void = () => undefined,
): () => void {
  let timer: number | undefined;
  let stopped = false;
  const askIn = (ms: number): void => {
    window.clearTimeout(timer);
    if (!stopped) timer = window.setTimeout(ask, Math.max(0, Math.min(ms, SAFETY_MS)));
  };
  const ask = (): void => {
    api.currentLesson().then(
      (answer) => {
        if (stopped) return;
        onAnswer(answer);
        // By the server's clock: the page's own may be minutes off.
        const { changesAt, serverTime } = answer;
        askIn(
          changesAt ? Date.parse(changesAt) - Date.parse(serverTime) + Math.random() * JITTER_MS : SAFETY_MS,
        );
      },
      (error: Error) => {
        if (stopped) return;
        onError(error);
        askIn(RETRY_MS);
      },
    );
  };
  socket.on('lessons:changed', ask);
  socket.on('connect', ask);
  ask();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    socket.off('lessons:changed', ask);
    socket.off('connect', ask);
  };
}
