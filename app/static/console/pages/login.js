// E-mail and password; on success, back to where the operator was going (a console path only).
import { api, ApiError, setCsrfToken } from '../core/api.js';
import { h, field, setFieldError } from '../../core/dom.js';
import { t } from '../core/i18n.js';
import { renderFrame } from '../core/layout.js';

export function safeNext(raw) {
  // only our own pages: no scheme, no host, no "//evil.example" trick
  if (!raw || !raw.startsWith('/console/') || raw.startsWith('//') || raw.includes('\\')) return '/console/';
  if (raw.startsWith('/console/login')) return '/console/';
  return raw;
}

export async function render() {
  const main = renderFrame({ title: t('login.title') });
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  const email = field({
    label: t('login.email'),
    control: h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, autocapitalize: 'off', spellcheck: 'false' }),
  });
  const password = field({
    label: t('login.password'),
    control: h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true }),
  });
  const formError = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button button-primary button-wide' }, t('login.submit'));
  const form = h('form', { class: 'card auth-card', novalidate: true },
    h('h1', {}, t('login.title')),
    h('p', { class: 'lede' }, t('login.intro')),
    formError, email.wrapper, password.wrapper, submit,
    h('p', { class: 'field-hint' }, t('login.forgot')));
  main.classList.add('auth-page');
  main.append(form);
  email.control.focus();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.hidden = true;
    email.setError(null);
    password.setError(null);
    const values = { email: email.control.value.trim(), password: password.control.value };
    if (!values.email) email.setError(t('login.emailMissing'));
    if (!values.password) password.setError(t('login.passwordMissing'));
    if (!values.email || !values.password) {
      (values.email ? password : email).control.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t('login.submitting');
    try {
      const session = await api('POST', '/api/v1/session', values, { redirectOn401: false });
      setCsrfToken(session.csrf_token);
      location.assign(next);
    } catch (err) {
      submit.disabled = false;
      submit.textContent = t('login.submit');
      const message = err instanceof ApiError
        ? (err.status === 401 ? t('login.wrong') : err.message)
        : t('error.unexpected');
      if (err instanceof ApiError && err.field === 'email') setFieldError(email.control, email.errorEl, message);
      else if (err instanceof ApiError && err.field === 'password') setFieldError(password.control, password.errorEl, message);
      else {
        formError.textContent = message;
        formError.hidden = false;
      }
      password.control.value = '';
      password.control.focus();
    }
  });
}
