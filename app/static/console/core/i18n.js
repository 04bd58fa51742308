// The console's words: its dictionaries (i18n/fr.json, the reference, and i18n/en.json; each has
// every key; {one, other} entries agree with `count`) in the shared engine, plus the way it
// writes the API's counts. Only the page's language's dictionary (and the reference's) is
// fetched, before any module that imports this one runs; the pages preload the files.
import { loadI18n } from '../../core/i18n.js';

export const {
  LANGS, setLang, currentLang, t, formatNumber, formatDateTime, formatTime, languageName, otherLanguage,
} = await loadI18n({
  fr: new URL('../i18n/fr.json', import.meta.url),
  en: new URL('../i18n/en.json', import.meta.url),
}, { dateTime: { dateStyle: 'medium', timeStyle: 'short' } });

// The API gives small counts as the string "<10" so that nobody can single out a household.
export function formatCount(value) {
  if (typeof value === 'number') return formatNumber(value);
  if (value === '<10') return t('count.fewerThan10');
  return String(value ?? '—');
}
