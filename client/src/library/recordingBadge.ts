import type { RecordingStatus } from '../../../server/contract/library.ts';
import { api, send } from '../api.ts';
import { refusalWords } from '../i18n.ts';
import type { WireError } from '../../../server/contract/errors.ts';
import type { LessonClient } from '../media/LessonClient.ts';
import type { SignalingSocket } from '../signaling.ts';
import { h } from '../ui/dom.ts';
import { retext, tr } from '../ui/text.ts';
import './library.css';

/** Sends JSON with PUT (the API client has no verb for it). */
export async function putJson<T>(path: string, body: unknown): Promise<T> {
  const res = await send(path, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = (await res.json()) as T & { error?: WireError };
  if (!res.ok) throw new Error(data.error ? refusalWords(data.error) : res.statusText);
  return data;
}

/**
 * The 录制中 badge of the studio and the kiosk (`data-testid="recording-badge"`,
 * `data-recording` on/off) while the lesson is live; for the teacher, a switch that turns this
 * lesson's recording off or on. The status is read once when the lesson goes live on the page
 * and again each time the page's media (re)joins it (after a reconnect or a media reset: it
 * may have changed meanwhile); in between, the server pushes every change (`lesson:recording`
 * on `socket`, sent to those joined), so nothing polls.
 */
export function recordingIndicator(options: {
  teacher: boolean;
  socket: SignalingSocket;
  media: LessonClient;
}): {
  el: HTMLElement;
  setLesson: (lesson: { id: string; state: string } | null) => void;
} {
  const label = tr('recordingOff');
  const badge = h(
    'span',
    { class: 'rec-badge', 'data-testid': 'recording-badge', 'data-recording': 'off', role: 'status' },
    label,
  );
  const toggle = h(
    'button',
    { class: 'btn btn-ghost rec-switch', type: 'button', 'data-testid': 'recording-switch', hidden: true },
    tr('recordingTurnOff'),
  );
  const el = h('span', { class: 'rec-indicator', hidden: true }, badge, options.teacher ? toggle : null);
  let lessonId: string | null = null;
  let status: RecordingStatus | null = null;
  /**
   * Counts reads started and pushes taken: a read's answer is shown only if nothing newer
   * came meanwhile (a push is read by the server after its change; a read may be older).
   */
  let version = 0;

  const render = (): void => {
    const on = !!status?.recordingNow;
    badge.dataset['recording'] = on ? 'on' : 'off';
    retext(
      label,
      on
        ? 'recordingNow'
        : status && !status.clusterEnabled
          ? 'recordingClusterOff'
          : status?.offReason === 'over-quota'
            ? 'recordingOverQuota'
            : 'recordingOff',
    );
    badge.dataset['reason'] = status?.offReason ?? '';
    toggle.hidden = !status || !status.clusterEnabled;
    retext(toggle.firstElementChild as HTMLElement, wantsOn() ? 'recordingTurnOn' : 'recordingTurnOff');
  };
  /** What the switch asks for: on when switched off, or when stopped for the quota (once raised). */
  const wantsOn = (): boolean =>
    !!status && (!status.lessonEnabled || (status.offReason === 'over-quota' && !status.recordingNow));
  /** Shows what `answer` brings, unless the lesson changed or something newer came meanwhile. */
  const settle = (id: string, answer: Promise<RecordingStatus>): Promise<void> => {
    const mine = ++version;
    return answer.then(
      (next) => {
        if (id !== lessonId || mine !== version) return;
        status = next;
        render();
      },
      () => undefined,
    );
  };
  const read = (): void => {
    if (lessonId) void settle(lessonId, api.get<RecordingStatus>(`/api/lessons/${lessonId}/recording`));
  };
  options.socket.on('lesson:recording', (next) => {
    if (next.lessonId !== lessonId) return;
    version++;
    status = next;
    render();
  });
  // Joined (again): pushes reach this page from now on; what changed before is read.
  options.media.on('state', (state) => {
    if (state === 'joined' && options.media.lessonId === lessonId) read();
  });
  toggle.addEventListener('click', () => {
    if (!lessonId || !status) return;
    toggle.disabled = true;
    // The recorder starts a moment after the switch: its start is pushed.
    void settle(
      lessonId,
      putJson<RecordingStatus>(`/api/lessons/${lessonId}/recording`, { enabled: wantsOn() }),
    ).finally(() => (toggle.disabled = false));
  });

  return {
    el,
    setLesson(lesson) {
      const live = lesson?.state === 'live';
      el.hidden = !live;
      const id = live ? lesson.id : null;
      if (id === lessonId) return;
      lessonId = id;
      status = null;
      render();
      read();
    },
  };
}
