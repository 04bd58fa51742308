// "Test phone (operators)": a town hall's or an association's operator types the code the console
// shows, and this phone then also receives that station's exercises and tests (nobody else
// does). Residents never need it; the section says so first.
import { announce, clear, h } from '../../../static/core/dom.js';
import { t } from '../core/i18n.js';
import * as device from '../core/device.js';
import { busy, errorText, notice } from '../core/ui.js';

// the console shows ABCD-EFGH; typed with spaces, lower case or without the dash it is the same code
function tidy(code) {
  const raw = code.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return raw.length === 8 ? `${raw.slice(0, 4)}-${raw.slice(4)}` : code.trim();
}

export function testDevicesSection() {
  const listBox = h('div', { class: 'test-stations', dataset: { part: 'test-stations' } });
  const message = h('div', { 'aria-live': 'polite' });
  const body = h('div', {});
  const box = h('section', { class: 'card test-devices', 'aria-labelledby': 'testdev-title', dataset: { part: 'test-devices' } },
    h('h2', { id: 'testdev-title' }, t('testdev.title')),
    h('p', { class: 'testdev-who' }, t('testdev.who')),
    h('p', {}, t('testdev.what')),
    body);

  function paintList(stations) {
    if (!stations.length) {
      clear(listBox, h('p', { class: 'muted' }, t('testdev.none')));
      return;
    }
    clear(listBox, h('p', { class: 'testdev-list-title' }, t('testdev.listTitle')),
      h('ul', { class: 'test-station-list' }, stations.map((s) => {
        const leave = h('button', { type: 'button', class: 'button button-quiet button-small', dataset: { action: 'leave-test', station: s.slug },
          'aria-label': t('testdev.leaveLabel', { station: s.name }) }, t('testdev.leave'));
        leave.addEventListener('click', () => busy(leave, null, async () => {
          clear(message);
          try {
            await device.leaveTestStation(s.slug);
            clear(message, notice('success', h('p', {}, t('testdev.left', { station: s.name }))));
            announce(t('testdev.left', { station: s.name }));
            await refresh();
          } catch (err) {
            clear(message, notice('error', errorText(err)));
          }
        }));
        return h('li', { class: 'test-station-item', dataset: { station: s.slug } }, h('span', { class: 'station-name' }, s.name), leave);
      })));
  }

  async function refresh() {
    try {
      paintList(await device.testStations());
    } catch (err) {
      clear(listBox, notice('error', errorText(err)));
    }
  }

  function form() {
    const input = h('input', { type: 'text', id: 'testdev-code', name: 'code', autocomplete: 'off', autocapitalize: 'characters',
      spellcheck: 'false', maxlength: 20, required: true, 'aria-describedby': 'testdev-code-hint' });
    const submit = h('button', { type: 'submit', class: 'button button-secondary button-wide' }, t('testdev.enrol'));
    const el = h('form', { class: 'testdev-form', novalidate: true },
      h('div', { class: 'field' },
        h('label', { for: 'testdev-code' }, t('testdev.codeLabel')),
        h('p', { class: 'field-hint', id: 'testdev-code-hint' }, t('testdev.codeHint')),
        input),
      submit);
    el.addEventListener('submit', (event) => {
      event.preventDefault();
      clear(message);
      const code = tidy(input.value);
      if (!code) {
        clear(message, notice('error', h('p', {}, t('testdev.codeMissing'))));
        input.focus();
        return;
      }
      busy(submit, t('testdev.enrolling'), async () => {
        try {
          const station = await device.enrolAsTestPhone(code);
          input.value = '';
          clear(message, notice('success', h('p', {}, t('testdev.enrolled', { station: station.name }))));
          announce(t('testdev.enrolled', { station: station.name }));
          await refresh();
        } catch (err) {
          const refused = err.status === 422 || err.status === 400;
          clear(message, notice('error', h('p', {}, refused ? t('testdev.badCode') : errorText(err))));
          input.focus();
        }
      });
    });
    return el;
  }

  async function paint() {
    clear(message);
    if (!device.current().device) {
      clear(body, notice('info', h('p', {}, t('testdev.needsPush'))));
      return;
    }
    clear(body, listBox, form(), message);
    await refresh();
  }
  paint();
  return { element: box, paint };
}
