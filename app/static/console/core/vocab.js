// The API's words (CAP 1.2 and delivery states); their labels are in the dictionaries.
export const SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'];
export const CATEGORIES = ['Met', 'Fire', 'Safety', 'Health', 'Env', 'Transport', 'Infra', 'Geo',
  'Rescue', 'Security', 'CBRNE', 'Other'];
export const CHANNELS = ['webpush', 'apns', 'fcm'];
export const DELIVERY_STATUSES = ['sent', 'pending', 'sending', 'gone', 'failed', 'expired', 'replaced'];
export const ALERT_STATES = ['pending', 'sending', 'complete', 'expired', 'awaiting_approval', 'scheduled', 'withdrawn',
  'replaced', 'cancelled'];
// an alert's status (CAP): live, or an exercise / a test that only the station's test devices get
export const STATUSES = ['actual', 'exercise', 'test'];
export const MSG_TYPES = ['Alert', 'Update', 'Cancel'];
// the word that opens and closes an exercise or a test, as the server frames it (app/alert_texts.py)
export const FRAME_WORDS = { exercise: { fr: 'EXERCICE', en: 'EXERCISE' }, test: { fr: 'TEST', en: 'TEST' } };
export const ROLES = ['admin', 'publisher', 'approver'];
export const SEND_ROLES = ['admin', 'publisher'];
export const RADIUS_MIN = 300;
export const RADIUS_MAX = 5000;
export const TITLE_RECOMMENDED = 65;
export const BODY_RECOMMENDED = 240;
export const EXPIRY_CHOICES_H = [1, 3, 6, 12, 24];
export const DEFAULT_EXPIRY_H = 6;

export function canSend(roles) {
  return (roles || []).some((r) => SEND_ROLES.includes(r));
}
