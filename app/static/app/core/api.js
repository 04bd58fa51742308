// Every call to the JSON API goes through here: the device's secret as a bearer token (no
// cookies: the app has no account), errors as ApiError with the server's own message.
import { currentLang, t } from './i18n.js';

export class ApiError extends Error {
  constructor(status, code, message, field = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  get offline() {
    return this.status === 0;
  }
}

export async function api(method, path, body, { secret = null, signal } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': currentLang() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (secret) headers.Authorization = `Bearer ${secret}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      signal,
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    // navigator.onLine says "online" on a network that leads nowhere: a failed call is the proof
    window.dispatchEvent(new CustomEvent('tocsin:network', { detail: false }));
    throw new ApiError(0, 'network', t('error.network'));
  }
  window.dispatchEvent(new CustomEvent('tocsin:network', { detail: true }));
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.code || 'http',
      error.message || t('error.http', { status: response.status }), error.field || null);
  }
  return data;
}
