// The console's calls to the JSON API: the shared client with the session cookie, the CSRF header
// on every call that changes something, and an expired session sent back to the login page.
import { ApiError, createApi } from '../../core/api.js';
import * as i18n from './i18n.js';

export { ApiError };

let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token;
}

export function loginUrl() {
  return `/console/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

const SAFE = new Set(['GET', 'HEAD']);

// api(method, path, body, { signal, headers, contentType, redirectOn401 }): redirectOn401 is false
// only for the calls where 401 is an answer (a wrong password), not an expired session.
export const api = createApi({
  i18n,
  credentials: 'same-origin',
  headers: (method) => (!SAFE.has(method) && csrfToken ? { 'X-CSRF-Token': csrfToken } : {}),
  onResponse: (response, { redirectOn401 = true }) => {
    if (response.status === 401 && redirectOn401) {
      location.assign(loginUrl());
      throw new ApiError(401, 'unauthorized', i18n.t('error.sessionExpired'));
    }
  },
});

// One key per confirmation: a double click or a retried request sends one alert, not two.
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function loadSession() {
  const session = await api('GET', '/api/v1/session');
  setCsrfToken(session.csrf_token);
  return session;
}
