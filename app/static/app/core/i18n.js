// The app's words: its dictionaries (i18n/fr.json, the reference, and i18n/en.json; each has every
// key; short sentences and everyday words: the app speaks to everyone; {one, other} entries agree
// with `count`) in the shared engine; dates as people say them. The language is the one the
// server put in <html lang> (?lang=, cookie, then the browser's): only its dictionary (and the
// reference's) is fetched, before any module that imports this one runs. The pages preload the
// files and the service worker keeps a copy of them, for the app to start offline.
import { asDate, loadI18n } from '../../../static/core/i18n.js';

export const {
  LANGS, setLang, currentLang, pageLang, t, formatDateTime, formatTime, otherLanguage,
} = await loadI18n({
  fr: new URL('../i18n/fr.json', import.meta.url),
  en: new URL('../i18n/en.json', import.meta.url),
}, { dateTime: { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' } });

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
