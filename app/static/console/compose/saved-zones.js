// The station's saved zones beside the map: draw one by choosing it, delete it, or save what is
// drawn under a name. A saved zone being drawn keeps its name; any later edit drops it.
import { api, ApiError } from '../core/api.js';
import { h, clear, field, announce } from '../../core/dom.js';
import { t } from '../core/i18n.js';

// panel: { zone() (what is drawn), setError(message) (the zone's error line), named() (the
// name changed: the summary says it again) }.
export function createSavedZones({ slug, panel }) {
  let editor = null;
  let savedName = null;
  let savedZones = [];
  let loadingSaved = false;

  const savedSelect = h('select', {}, h('option', { value: '' }, t('zone.savedNone')));
  const saved = field({ label: t('zone.saved'), control: savedSelect });
  const deleteSaved = h('button', { type: 'button', class: 'button button-quiet', hidden: true }, t('zone.deleteSaved'));
  saved.wrapper.append(deleteSaved);

  const saveName = field({ label: t('zone.saveName'), control: h('input', { type: 'text', name: 'zone-name', maxlength: 100 }) });
  const saveConfirm = h('button', { type: 'button', class: 'button' }, t('zone.saveConfirm'));
  const saveCancel = h('button', { type: 'button', class: 'button button-quiet' }, t('zone.cancel'));
  const saveForm = h('div', { class: 'inline-form', role: 'group', 'aria-label': t('zone.save'), hidden: true },
    saveName.wrapper, h('div', { class: 'actions' }, saveConfirm, saveCancel));
  const saveOpen = h('button', { type: 'button', class: 'button button-quiet', disabled: true }, t('zone.save'));

  const chosen = () => savedZones.find((z) => String(z.id) === savedSelect.value);

  function fill(list, selectedId) {
    savedZones = list;
    clear(savedSelect, h('option', { value: '' }, list.length ? t('zone.savedChoose') : t('zone.savedNone')),
      list.map((z) => h('option', { value: String(z.id) }, z.name)));
    savedSelect.disabled = !list.length;
    if (selectedId !== undefined) savedSelect.value = String(selectedId);
  }

  async function load() {
    try {
      const data = await api('GET', `/api/v1/stations/${encodeURIComponent(slug)}/zones`);
      fill(data.zones || []);
    } catch (err) {
      fill([]);
      if (err instanceof ApiError) saved.setError(err.message);
    }
  }

  function choose() {
    const zone = chosen();
    deleteSaved.hidden = !zone;
    if (!zone) return;
    loadingSaved = true;
    savedName = zone.name;
    try {
      editor.loadZone(zone.zone);
    } finally {
      loadingSaved = false;
    }
  }

  async function remove() {
    const zone = chosen();
    if (!zone || !window.confirm(t('zone.deleteConfirm', { name: zone.name }))) return;
    try {
      await api('DELETE', `/api/v1/stations/${encodeURIComponent(slug)}/zones/${encodeURIComponent(zone.id)}`);
      savedName = null;
      fill(savedZones.filter((z) => z !== zone));
      deleteSaved.hidden = true;
      panel.named();
      announce(t('zone.deleted', { name: zone.name }));
    } catch (err) {
      saved.setError(err instanceof ApiError ? err.message : t('error.unexpected'));
    }
  }

  function closeSaveForm() {
    saveForm.hidden = true;
    saveOpen.hidden = false;
    saveName.setError(null);
    saveName.control.value = '';
  }

  async function save(event) {
    event.preventDefault();
    const name = saveName.control.value.trim();
    if (!name) {
      saveName.setError(t('zone.saveNameMissing'));
      saveName.control.focus();
      return;
    }
    saveConfirm.disabled = true;
    try {
      const created = await api('POST', `/api/v1/stations/${encodeURIComponent(slug)}/zones`, { name, zone: panel.zone() });
      fill([...savedZones, created].sort((a, b) => a.name.localeCompare(b.name)), created.id);
      savedName = created.name;
      deleteSaved.hidden = false;
      panel.named();
      closeSaveForm();
      saveOpen.focus();
      announce(t('zone.savedDone', { name: created.name }));
    } catch (err) {
      const message = err instanceof ApiError ? err.message : t('error.unexpected');
      if (err instanceof ApiError && err.field && err.field.startsWith('zone')) panel.setError(message);
      else saveName.setError(message);
      saveName.control.focus();
    } finally {
      saveConfirm.disabled = false;
    }
  }

  function attach(zoneEditor) {
    editor = zoneEditor;
    savedSelect.addEventListener('change', choose);
    deleteSaved.addEventListener('click', remove);
    saveOpen.addEventListener('click', () => {
      saveForm.hidden = false;
      saveOpen.hidden = true;
      saveName.control.focus();
    });
    saveCancel.addEventListener('click', closeSaveForm);
    saveConfirm.addEventListener('click', save);
    saveName.control.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') save(event);
      if (event.key === 'Escape') closeSaveForm();
    });
    load();
  }

  // the zone drawn changed: a zone drawn by hand has no name, and can be saved once there is one
  function zoneChanged(zone) {
    if (!loadingSaved) {
      savedName = null;
      savedSelect.value = '';
      deleteSaved.hidden = true;
    }
    saveOpen.disabled = !zone;
  }

  return { elements: [saved.wrapper, saveOpen, saveForm], attach, zoneChanged, name: () => savedName };
}
