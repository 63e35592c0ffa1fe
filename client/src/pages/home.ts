import type { Role, UserView } from '../../../server/contract/api.ts';
import { personName } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { topbar } from '../ui/topbar.ts';

/** Where an account lands after signing in. */
export function homeOf(role: Role): string {
  if (role === 'teacher') return '/studio';
  if (role === 'classroom') return '/classroom';
  if (role === 'inspector') return '/inspection';
  return role === 'admin' || role === 'bureau' || role === 'coordinator' || role === 'school'
    ? '/manage'
    : '/';
}

/** Landing page for accounts whose pages arrive later (admins, coordinators, bureaus). */
export function homePage(root: HTMLElement, user: UserView): void {
  mount(
    root,
    topbar('appName', null, user.realName),
    h(
      'main',
      { class: 'welcome' },
      h('h1', {}, tr('welcome'), `, ${personName(user.realName)}`),
      h('p', {}, tr('roleHint')),
    ),
  );
}
