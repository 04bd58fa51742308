// The API's words (CAP 1.2, states, roles…) for both front-ends: those of the server, generated
// from app/vocab.py into vocab-generated.js, and the few choices only the front-ends make. Their
// labels are in each app's dictionaries.
import { SEND_ROLES, SEVERITIES } from './vocab-generated.js';

export * from './vocab-generated.js';

// Severities are listed most severe first: these two insist (a warning sign, a long vibration).
export const SEVERE = SEVERITIES.slice(0, 2);
// What the console offers as an alert's validity, in hours.
export const EXPIRY_CHOICES_H = [1, 3, 6, 12, 24];
export const DEFAULT_EXPIRY_H = 6;

export function canSend(roles) {
  return (roles || []).some((r) => SEND_ROLES.includes(r));
}
