// Every call to the JSON API goes through here: cookie session, CSRF header, errors as ApiError.
import { currentLang, t } from './i18n.js';

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, code, message, field = null, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

export function setCsrfToken(token) {
  csrfToken = token;
}

export function loginUrl() {
  return `/console/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

const SAFE = new Set(['GET', 'HEAD']);

// redirectOn401: false only for the calls where 401 is an answer (a wrong password), not an
// expired session. contentType: the body is sent as it is (a file), with this type, not as JSON.
export async function api(method, path, body, { signal, redirectOn401 = true, headers: extra = {}, contentType = null } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': currentLang(), ...extra };
  if (body !== undefined) headers['Content-Type'] = contentType || 'application/json';
  if (!SAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined || contentType ? body : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', t('error.network'));
  }
  if (response.status === 401 && redirectOn401) {
    location.assign(loginUrl());
    throw new ApiError(401, 'unauthorized', t('error.sessionExpired'));
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(
      response.status,
      error.code || 'http',
      error.message || t('error.http', { status: response.status }),
      error.field || null,
      response.headers.get('Retry-After'),
    );
  }
  return data;
}

export async function loadSession() {
  const session = await api('GET', '/api/v1/session');
  setCsrfToken(session.csrf_token);
  return session;
}
