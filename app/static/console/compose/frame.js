// An exercise or a test says so at the start and the end of its title and body, in its own
// language: the same framing the server applies (app/alert_texts.py), shown before sending.
import { FRAME_WORDS } from '../../core/vocab.js';

export function frameWord(status, language) {
  const words = FRAME_WORDS[status];
  return words ? (words[language] || words.en) : null;
}

export function frameText(status, language, { title = '', body = '' }) {
  const word = frameWord(status, language);
  if (!word) return { title, body };
  const framedTitle = title.startsWith(word) ? title : `${word} – ${title}`;
  let framedBody = body;
  if (!framedBody.startsWith(word)) framedBody = `${word}\n${framedBody}`;
  if (!framedBody.endsWith(word)) framedBody = `${framedBody}\n${word}`;
  return { title: framedTitle, body: framedBody };
}
