// What the alert page knows of an alert: where its page is, how to read it again, and what its
// state means for what the page shows and watches.
import { api } from '../core/api.js';

// nothing more will happen to these by themselves
export const FINAL = new Set(['complete', 'expired', 'withdrawn', 'replaced', 'cancelled']);
export const NOT_SENT = new Set(['awaiting_approval', 'scheduled', 'withdrawn']);

export const alertUrl = (id) => `/console/alerts/${encodeURIComponent(id)}`;

export const fetchAlert = (id) => api('GET', `/api/v1/alerts/${encodeURIComponent(id)}`);

// A complete alert may still be replaced or cancelled from another screen: keep an eye on it,
// unless it is finished for good.
export function needsWatching(alert) {
  return alert.state === 'complete' && !alert.replaced_by && alert.msg_type !== 'Cancel'
    && new Date(alert.expires_at).getTime() > Date.now();
}

// The words in each language, the main language first.
export function textsOf(alert) {
  const texts = alert.texts || { [alert.language || 'fr']: { title: alert.title, body: alert.body } };
  return Object.entries(texts).sort(([a], [b]) => (a === alert.language ? -1 : b === alert.language ? 1 : 0));
}
