// The console's words: its dictionaries (i18n/fr.js, the reference, and i18n/en.js) in the
// shared engine, plus the way it writes the API's counts.
import { createI18n } from '../../core/i18n.js';
import fr from '../i18n/fr.js';
import en from '../i18n/en.js';

export const {
  LANGS, setLang, currentLang, t, formatNumber, formatDateTime, formatTime, languageName, otherLanguage,
} = createI18n({ fr, en }, { dateTime: { dateStyle: 'medium', timeStyle: 'short' } });

// The API gives small counts as the string "<10" so that nobody can single out a household.
export function formatCount(value) {
  if (typeof value === 'number') return formatNumber(value);
  if (value === '<10') return t('count.fewerThan10');
  return String(value ?? '—');
}
