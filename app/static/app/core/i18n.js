// The app's words: its dictionaries (i18n/fr.js, the reference, and i18n/en.js) in the shared
// engine; dates as people say them. The language is the one the server put in <html lang>
// (?lang=, cookie, then the browser's): `setLang(pageLang())`.
import { asDate, createI18n } from '../../../static/core/i18n.js';
import fr from '../i18n/fr.js';
import en from '../i18n/en.js';

export const {
  LANGS, setLang, currentLang, pageLang, t, formatDateTime, formatTime, otherLanguage,
} = createI18n({ fr, en }, { dateTime: { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' } });

// "today at 14:05", "yesterday at 09:10", otherwise the date: what people say aloud.
export function formatWhen(iso) {
  const d = asDate(iso);
  if (!d) return '—';
  const dayStart = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((dayStart(new Date()) - dayStart(d)) / 86400000);
  const time = formatTime(d);
  if (days === 0) return t('when.today', { time });
  if (days === 1) return t('when.yesterday', { time });
  if (days === -1) return t('when.tomorrow', { time });
  return formatDateTime(d);
}
