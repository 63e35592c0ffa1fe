import type { LessonSummary } from '../../../server/contract/api.ts';
import { api } from '../api.ts';
import { t } from '../i18n.ts';
import { h, mount } from './dom.ts';

/**
 * The assistant teacher's head count on the kiosk: the class size offered as the default,
 * large − and + buttons for a finger on the whiteboard, one tap to confirm.
 */
export class HeadcountControl {
  readonly el = h('div', { class: 'headcount', 'data-testid': 'headcount', hidden: true });
  #lessonId: string | null = null;
  #count = 0;
  #confirmed: number | null = null;

  /** Shows the control for a live lesson of this classroom, or hides it. */
  show(lesson: LessonSummary | null, classroomId: string | null): void {
    const live = lesson?.state === 'live' ? lesson : null;
    this.el.hidden = !live;
    if (!live || live.id === this.#lessonId) return;
    this.#lessonId = live.id;
    this.#confirmed = null;
    this.#count = live.classrooms.find((c) => c.id === classroomId)?.classSize ?? 0;
    this.#render();
  }

  #render(): void {
    const step = (delta: number) => () => {
      this.#count = Math.max(0, this.#count + delta);
      this.#confirmed = null;
      this.#render();
    };
    mount(
      this.el,
      h('span', {}, t('headcountPresent')),
      h('button', { class: 'btn btn-ghost', type: 'button', 'aria-label': '−1', onclick: step(-1) }, '−'),
      h('output', { 'data-testid': 'headcount-value' }, String(this.#count)),
      h('button', { class: 'btn btn-ghost', type: 'button', 'aria-label': '+1', onclick: step(1) }, '+'),
      this.#confirmed === this.#count
        ? h('span', { class: 'ok', 'data-testid': 'headcount-state' }, t('headcountConfirmed'))
        : h(
            'button',
            {
              class: 'btn btn-primary',
              type: 'button',
              'data-testid': 'headcount-confirm',
              onclick: () => void this.#confirm(),
            },
            t('headcountConfirm'),
          ),
    );
  }

  async #confirm(): Promise<void> {
    if (!this.#lessonId) return;
    const count = this.#count;
    try {
      await api.post(`/api/lessons/${this.#lessonId}/headcount`, { count });
      this.#confirmed = count;
    } catch {
      this.#confirmed = null;
    }
    this.#render();
  }
}
