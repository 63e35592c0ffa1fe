import type { RecordingStatus } from '../../../server/contract/library.ts';
import { api, send } from '../api.ts';
import { h } from '../ui/dom.ts';
import { retext, tr } from '../ui/text.ts';
import './library.css';

/** How often a live lesson's recording status is read, ms. */
const POLL_MS = 4000;

/** Sends JSON with PUT (the API client has no verb for it). */
export async function putJson<T>(path: string, body: unknown): Promise<T> {
  const res = await send(path, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = (await res.json()) as T & { error?: { message: string } };
  if (!res.ok) throw new Error(data.error?.message ?? res.statusText);
  return data;
}

/**
 * The 录制中 badge of the studio and the kiosk (`data-testid="recording-badge"`,
 * `data-recording` on/off), read from the server while the lesson is live; for the teacher,
 * a switch that turns this lesson's recording off or on.
 */
export function recordingIndicator(options: { teacher: boolean }): {
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
  let timer: ReturnType<typeof setInterval> | null = null;

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
  const poll = (): void => {
    const id = lessonId;
    if (!id) return;
    api.get<RecordingStatus>(`/api/lessons/${id}/recording`).then(
      (next) => {
        if (id !== lessonId) return;
        status = next;
        render();
      },
      () => undefined,
    );
  };
  toggle.addEventListener('click', () => {
    if (!lessonId || !status) return;
    toggle.disabled = true;
    putJson<RecordingStatus>(`/api/lessons/${lessonId}/recording`, { enabled: wantsOn() })
      .then((next) => {
        status = next;
        render();
        // The recorder starts a moment after the switch.
        setTimeout(poll, 1500);
      })
      .catch(() => undefined)
      .finally(() => (toggle.disabled = false));
  });

  return {
    el,
    setLesson(lesson) {
      const live = lesson?.state === 'live';
      el.hidden = !live;
      if (timer) clearInterval(timer);
      timer = null;
      if (!live) {
        lessonId = null;
        status = null;
        render();
        return;
      }
      if (lessonId !== lesson.id) status = null;
      lessonId = lesson.id;
      render();
      poll();
      timer = setInterval(poll, POLL_MS);
    },
  };
}
