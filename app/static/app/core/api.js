// The app's calls to the JSON API: the shared client without cookies (the app has no account),
// the device's secret as a bearer token when a call gives one (`{ secret }`), and every call's
// outcome told to the page: navigator.onLine says "online" on a network that leads nowhere, a
// failed call is the proof (the frame's offline banner listens).
import { ApiError, createApi } from '../../../static/core/api.js';
import * as i18n from './i18n.js';

export { ApiError };

export const api = createApi({
  i18n,
  credentials: 'omit',
  headers: (method, { secret = null }) => (secret ? { Authorization: `Bearer ${secret}` } : {}),
  onNetwork: (reached) => window.dispatchEvent(new CustomEvent('tocsin:network', { detail: reached })),
});
