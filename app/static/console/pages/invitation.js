// An invited operator chooses a password; the token is the last part of the link.
import { api, ApiError } from '../core/api.js';
import { h, field } from '../../core/dom.js';
import { t } from '../core/i18n.js';
import { renderFrame } from '../core/layout.js';

const MIN_PASSWORD = 10;

export async function render() {
  const main = renderFrame({ title: t('invitation.title') });
  main.classList.add('auth-page');
  const token = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
  const password = field({
    label: t('invitation.password'),
    hint: t('invitation.passwordHint', { min: MIN_PASSWORD }),
    control: h('input', { type: 'password', name: 'new-password', autocomplete: 'new-password', required: true, minlength: MIN_PASSWORD }),
  });
  const again = field({
    label: t('invitation.again'),
    control: h('input', { type: 'password', name: 'new-password-again', autocomplete: 'new-password', required: true }),
  });
  const show = h('input', { type: 'checkbox', id: 'show-password' });
  show.addEventListener('change', () => {
    const type = show.checked ? 'text' : 'password';
    password.control.type = type;
    again.control.type = type;
  });
  const formError = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button button-primary button-wide' }, t('invitation.submit'));
  const form = h('form', { class: 'card auth-card', novalidate: true },
    h('h1', {}, t('invitation.title')),
    h('p', { class: 'lede' }, t('invitation.intro')),
    formError, password.wrapper, again.wrapper,
    h('div', { class: 'check' }, show, h('label', { for: 'show-password' }, t('invitation.show'))),
    submit);
  main.append(form);
  password.control.focus();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.hidden = true;
    password.setError(null);
    again.setError(null);
    const value = password.control.value;
    if (value.length < MIN_PASSWORD) {
      password.setError(t('invitation.tooShort', { min: MIN_PASSWORD }));
      password.control.focus();
      return;
    }
    if (value !== again.control.value) {
      again.setError(t('invitation.mismatch'));
      again.control.focus();
      return;
    }
    submit.disabled = true;
    try {
      await api('POST', `/api/v1/invitations/${encodeURIComponent(token)}`, { password: value }, { redirectOn401: false });
      form.replaceChildren(
        h('h1', {}, t('invitation.doneTitle')),
        h('p', { role: 'status' }, t('invitation.done')),
        h('p', {}, h('a', { class: 'button button-primary', href: '/console/login' }, t('invitation.toLogin'))));
      form.querySelector('a').focus();
    } catch (err) {
      submit.disabled = false;
      const message = err instanceof ApiError
        ? (err.status === 404 ? t('invitation.unknown') : err.message)
        : t('error.unexpected');
      if (err instanceof ApiError && err.field === 'password') {
        password.setError(message);
        password.control.focus();
      } else {
        formError.textContent = message;
        formError.hidden = false;
        formError.focus?.();
      }
    }
  });
}
