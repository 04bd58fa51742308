// Every call to the JSON API goes through a function made here: JSON in and out, the page's
// language, and the server's errors ({"error": {"code", "message", "field"}}) as ApiError with the
// server's own words. Each front-end makes its own (its core/api.js) with what it adds: the
// console its session cookie and CSRF header, the app the device's secret as a bearer token.

export class ApiError extends Error {
  constructor(status, code, message, field = null, retryAfter = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }

  get offline() {
    return this.status === 0;
  }
}

// i18n: { t, currentLang } (for the Accept-Language header and the messages of errors the
// server did not word). credentials: the fetch option. headers(method, options): what the app adds
// to a call. onNetwork(reached): told after each call whether the server answered.
// onResponse(response, options): may throw before the answer is read (the console's expired session).
export function createApi({
  i18n, credentials = 'same-origin', headers = () => ({}), onNetwork = () => {}, onResponse = () => {},
}) {
  // options: signal; headers (this call's own); contentType: the body is sent as it is (a file),
  // with this type, not as JSON; and whatever the app's headers() and onResponse() read.
  return async function api(method, path, body, options = {}) {
    const { signal, contentType = null } = options;
    const sent = { Accept: 'application/json', 'Accept-Language': i18n.currentLang(), ...options.headers, ...headers(method, options) };
    if (body !== undefined) sent['Content-Type'] = contentType || 'application/json';
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: sent,
        body: body === undefined || contentType ? body : JSON.stringify(body),
        credentials,
        cache: 'no-store',
        signal,
      });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      onNetwork(false);
      throw new ApiError(0, 'network', i18n.t('error.network'));
    }
    onNetwork(true);
    onResponse(response, options);
    if (response.status === 204) return null;
    return answer(response, i18n);
  };
}

async function answer(response, i18n) {
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
      error.message || i18n.t('error.http', { status: response.status }),
      error.field || null,
      response.headers.get('Retry-After'),
    );
  }
  return data;
}
