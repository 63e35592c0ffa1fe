import type { LessonState } from '../../../server/contract/api.ts';
import { api } from '../api.ts';
import { lang, personName, setLang, t } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { h } from './dom.ts';
import { retext, tr } from './text.ts';

/** The page state the automation hooks read: `idle`, `live` or `ended`. */
export type PageLessonState = 'idle' | 'live' | 'ended';

export function pageState(state: LessonState | null): PageLessonState {
  return state === 'live' ? 'live' : state === 'ended' ? 'ended' : 'idle';
}

const STATE_LABEL: Record<PageLessonState, MessageKey> = {
  idle: 'stateIdle',
  live: 'stateLive',
  ended: 'stateEnded',
};

/** The lesson state badge (`data-testid="lesson-state"`, `data-state`). */
export function lessonStateBadge(): { el: HTMLElement; set: (state: PageLessonState) => void } {
  const el = h(
    'span',
    { class: 'state-badge', 'data-testid': 'lesson-state', 'data-state': 'idle', role: 'status' },
    tr('stateIdle'),
  );
  return {
    el,
    set(state) {
      el.dataset['state'] = state;
      retext(el.firstElementChild as HTMLElement, STATE_LABEL[state]);
    },
  };
}

/** The bar on top of every page: app and page name, the state badge, language, sign out. */
export function topbar(title: MessageKey, badge: HTMLElement | null, who: string): HTMLElement {
  const name = h('span', { class: 'who' }, personName(who));
  const toggle = h(
    'button',
    {
      class: 'btn btn-ghost',
      type: 'button',
      'aria-label': 'language',
      onclick: () => {
        setLang(lang() === 'zh' ? 'en' : 'zh');
        toggle.textContent = t('language');
        name.textContent = personName(who);
      },
    },
    t('language'),
  );
  const logout = h(
    'button',
    {
      class: 'btn btn-ghost',
      type: 'button',
      onclick: () => void api.logout().finally(() => location.assign('/login')),
    },
    tr('logout'),
  );
  return h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'brand' },
      h('span', { class: 'logo', 'aria-hidden': 'true' }, '课'),
      tr('appName'),
      h('span', { class: 'sep' }, '·'),
      tr(title),
    ),
    badge,
    h('div', { class: 'spacer' }),
    name,
    toggle,
    logout,
  );
}
