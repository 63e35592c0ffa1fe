import type { LoginResponse } from '../../../server/contract/api.ts';
import { ApiError, api, refusedWith } from '../api.ts';
import { lang, setLang, t } from '../i18n.ts';
import type { MessageKey } from '../i18n.ts';
import { h, mount } from '../ui/dom.ts';
import { tr } from '../ui/text.ts';
import { homeOf } from './home.ts';

/** Where to go once signed in: `?next=` (a path of this site) or the account's home page. */
function proceed({ user }: LoginResponse): void {
  const next = new URLSearchParams(location.search).get('next');
  location.assign(next?.startsWith('/') && !next.startsWith('//') ? next : homeOf(user.role));
}

/** The message for a refused sign-in, by the refusal's code. */
function refusal(e: unknown): MessageKey {
  switch (e instanceof ApiError ? e.code : undefined) {
    case 'TOO_MANY_REQUESTS':
      return 'tooMany';
    case 'DEMO_ACCOUNT_LOCAL_ONLY':
      return 'demoLocalOnly';
    case 'ENROLMENT_CODE_INVALID':
      return 'enrolInvalid';
    case 'WRONG_PASSWORD':
    case 'LOGIN_REQUIRED':
    case 'INVALID_INPUT':
      return 'wrongPassword';
    default:
      return 'networkError';
  }
}

const input = (id: string, attrs: Record<string, string | boolean> = {}): HTMLInputElement =>
  h('input', { id, name: id, required: true, autocapitalize: 'off', ...attrs });

/** Runs `attempt` with the button showing progress; errors shown in `error`. */
function submitting(
  form: HTMLFormElement,
  submit: HTMLButtonElement,
  error: HTMLElement,
  attempt: () => Promise<void>,
): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    attempt()
      .catch((e: unknown) => {
        error.textContent = e instanceof ApiError && e.issues.length ? e.issues[0]!.message : t(refusal(e));
      })
      .finally(() => (submit.disabled = false));
  });
}

/** A handed-out (one-time) password must be replaced before the first sign-in. */
function passwordForm(username: string, current: string): HTMLFormElement {
  const next = input('new-password', { type: 'password', autocomplete: 'new-password', minlength: '8' });
  const again = input('repeat-password', { type: 'password', autocomplete: 'new-password' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h(
    'button',
    { class: 'btn btn-primary btn-xl', type: 'submit', 'data-testid': 'password-submit' },
    tr('savePassword'),
  );
  const form = h(
    'form',
    { class: 'login-card', 'data-testid': 'password-form' },
    h('h1', {}, tr('setOwnPassword')),
    h('p', { class: 'muted' }, tr('setOwnPasswordHint')),
    h('label', { for: 'new-password' }, tr('newPassword')),
    next,
    h('label', { for: 'repeat-password' }, tr('repeatPassword')),
    again,
    error,
    submit,
  );
  submitting(form, submit, error, async () => {
    if (next.value !== again.value) {
      error.textContent = t('passwordsDiffer');
      return;
    }
    proceed(await api.changePassword(username, current, next.value));
  });
  return form;
}

/** A classroom whiteboard enrols once with a code and stays signed in as its classroom. */
function enrolForm(): HTMLFormElement {
  const code = input('enrol-code', {
    autocomplete: 'off',
    inputmode: 'text',
    maxlength: '9',
    class: 'enrol-code',
  });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h(
    'button',
    { class: 'btn btn-xl', type: 'submit', 'data-testid': 'enrol-submit' },
    tr('enrol'),
  );
  const form = h(
    'form',
    { class: 'login-card', 'data-testid': 'enrol-form' },
    h('h2', {}, tr('enrolDevice')),
    h('p', { class: 'muted' }, tr('enrolHint')),
    h('label', { for: 'enrol-code' }, tr('enrolCode')),
    code,
    error,
    submit,
  );
  submitting(form, submit, error, async () => proceed(await api.enrol(code.value)));
  return form;
}

/** Sign-in form (then a password of one's own when required), and device enrolment. */
export function loginPage(root: HTMLElement): void {
  const username = input('username', { autocomplete: 'username' });
  const password = input('password', { type: 'password', autocomplete: 'current-password' });
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
  const page = h('main', { class: 'login-page' }, form, enrolForm());
  submitting(form, submit, error, async () => {
    try {
      proceed(await api.login(username.value, password.value));
    } catch (e) {
      if (!refusedWith(e, 'PASSWORD_CHANGE_REQUIRED')) throw e;
      const replacement = passwordForm(username.value.trim(), password.value);
      page.replaceChildren(replacement);
      replacement.querySelector('input')?.focus();
    }
  });
  mount(root, page);
  username.focus();
}
