// Uploading a CAP file by hand; the server says what is wrong with one, and where.
import { ApiError, api } from '../core/api.js';
import { h, clear, announce, field } from '../../core/dom.js';
import { t } from '../core/i18n.js';
import { headlineOf } from './words.js';

// `page`: { listUrl, known (the ids listed), outcome, refresh } (see pages/cap.js).
export function uploadForm(page) {
  const fileInput = h('input', { type: 'file', name: 'document', accept: '.xml,.cap,application/xml,text/xml,application/cap+xml' });
  const fileField = field({ label: t('cap.upload.file'), control: fileInput, hint: t('cap.upload.hint'), id: 'cap-file' });
  const button = h('button', { type: 'submit', class: 'button button-primary' }, t('cap.upload.submit'));
  const done = h('p', { class: 'notice notice-success', role: 'status', hidden: true });
  const form = h('form', { class: 'card cap-upload', 'aria-labelledby': 'cap-upload-h', novalidate: true },
    h('h2', { id: 'cap-upload-h' }, t('cap.upload.title')),
    fileField.wrapper, h('p', { class: 'actions' }, button), done);
  fileInput.addEventListener('change', () => fileField.setError(null));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    done.hidden = true;
    const file = fileInput.files && fileInput.files[0];
    if (!file) {
      fileField.setError(t('cap.upload.none'));
      fileInput.focus();
      return;
    }
    fileField.setError(null);
    button.disabled = true;
    button.textContent = t('cap.upload.sending');
    try {
      const item = await api('POST', page.listUrl, await file.arrayBuffer(), { contentType: 'application/cap+xml' });
      const message = page.known.has(item.id) ? t('cap.upload.again', { headline: headlineOf(item) })
        : t('cap.upload.done', { headline: headlineOf(item) });
      clear(page.outcome);
      done.textContent = message;
      done.hidden = false;
      announce(message);
      form.reset();
      await page.refresh();
    } catch (err) {
      // not XML, not CAP 1.2, too large…: the server says what and where
      fileField.setError(err instanceof ApiError ? err.message : t('error.unexpected'));
      fileInput.focus();
    } finally {
      button.disabled = false;
      button.textContent = t('cap.upload.submit');
    }
  });
  // a decision's outcome takes the place of the upload's
  return { element: form, hideDone: () => { done.hidden = true; } };
}
