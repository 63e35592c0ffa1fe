import { ApiError, api } from '../api.ts';
import { lang, setLang, t } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { homeOf } from './home.ts';

/** Sign-in form; afterwards goes to `?next=` or the account's home page. */
export function loginPage(root: HTMLElement): void {
  const username = h('input', {
    id: 'username',
    name: 'username',
    autocomplete: 'username',
    required: true,
    autocapitalize: 'off',
  });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h(
    'button',
    { class: 'btn btn-primary btn-xl', type: 'submit', 'data-testid': 'login-submit' },
    tr('login'),
  );
  const form = h(
    'form',
    { class: 'login-card' },
    h(
      'div',
      { class: 'login-brand' },
      h('span', { class: 'logo logo-lg', 'aria-hidden': 'true' }, '课'),
      h('h1', {}, tr('appName')),
    ),
    h('label', { for: 'username' }, tr('username')),
    username,
    h('label', { for: 'password' }, tr('password')),
    password,
    error,
    submit,
    h(
      'button',
      {
        class: 'btn btn-ghost',
        type: 'button',
        onclick: (e: Event) => {
          setLang(lang() === 'zh' ? 'en' : 'zh');
          (e.currentTarget as HTMLElement).textContent = t('language');
        },
      },
      t('language'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    submit.textContent = t('loggingIn');
    api.login(username.value, password.value).then(
      ({ user }) => {
        const next = new URLSearchParams(location.search).get('next');
        location.assign(next?.startsWith('/') && !next.startsWith('//') ? next : homeOf(user.role));
      },
      (e: unknown) => {
        submit.disabled = false;
        submit.textContent = t('login');
        error.textContent =
          e instanceof ApiError
            ? t(
                e.status === 429
                  ? 'tooMany'
                  : e.status === 400 || e.status === 401
                    ? 'wrongPassword'
                    : 'networkError',
              )
            : t('networkError');
      },
    );
  });
  mount(root, h('main', { class: 'login-page' }, form));
  username.focus();
}
