// Audit log: the appliance's hash-chained record of who did what (GET /audit), newest first,
// filtered by time, actor, action and outcome, with older entries loaded page by page; and
// signed exports (GET /audit/export) of the chosen time range as JSON lines or CSV, offered as
// two downloads: the file and its detached signature FILE.p7s (base64 in the X-Audit-Signature
// header of the same answer); and signed compliance reports (GET /audit/report) for the same
// range, JSON or CSV, offered the same way. docs/auditor-guide.md says how to check them.
import * as api from '../api.js';
import { clearErrors, field, formAlert, h, section, showError } from '../dom.js';
import * as format from '../format.js';

export const title = 'Audit log';

const PAGE = 100;
const OUTCOMES = [['', 'Any'], ['success', 'Success'], ['failure', 'Failure'], ['denied', 'Denied']];
/** Suggestions for the action filter; any action, or a prefix with .*, may be typed. */
const ACTIONS = ['auth.*', 'auth.sign-in', 'auth.backoff', 'admin.*', 'token.*', 'stream.*', 'site.*',
  'certificate.*', 'settings.changed', 'audit.exported', 'access.denied', 'signaling.refused', 'integrity.barred'];

export function render(container) {
  const from = h('input', { type: 'datetime-local' });
  const to = h('input', { type: 'datetime-local' });
  const actor = h('input', { type: 'text', placeholder: 'anyone', maxlength: '200', spellcheck: 'false' });
  const action = h('input', { type: 'text', placeholder: 'any action', maxlength: '64', spellcheck: 'false', list: 'audit-actions' });
  const outcome = h('select', {}, OUTCOMES.map(([value, label]) => h('option', { value, text: label })));
  const submit = h('button', { type: 'submit', text: 'Show' });
  const filters = h('form', { class: 'toolbar', novalidate: true, 'aria-label': 'Filter the audit log' },
    formAlert(),
    h('datalist', { id: 'audit-actions' }, ACTIONS.map((a) => h('option', { value: a }))),
    h('div', { class: 'inline-fields' },
      field('From', from, { name: 'from' }),
      field('To', to, { name: 'to' }),
      field('Actor', actor, { name: 'actor' }),
      field('Action', action, { name: 'action' }),
      field('Outcome', outcome, { name: 'outcome' }),
      h('div', { class: 'actions' }, submit)));

  const summary = h('p', { class: 'muted', role: 'status' });
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', text: 'Older entries', hidden: true });
  const table = h('table', { class: 'data', id: 'audit-table' },
    h('thead', {}, h('tr', {}, ['#', 'Time', 'Actor', 'Source', 'Action', 'Target', 'Outcome', 'Details']
      .map((c) => h('th', { scope: 'col', text: c })))),
    body);

  const exportFormat = h('select', {}, h('option', { value: 'jsonl', text: 'JSON lines' }), h('option', { value: 'csv', text: 'CSV' }));
  const exportButton = h('button', { type: 'submit', text: 'Export' });
  const exportResult = h('div', { 'aria-live': 'polite' });
  const exportForm = h('form', { novalidate: true, 'aria-label': 'Export the audit log' },
    formAlert(),
    h('p', { class: 'muted', text: 'Exports the entries of the From–To range above (all of them when both are empty), signed by the appliance. The export is itself recorded.' }),
    h('div', { class: 'inline-fields' }, field('Format', exportFormat, { name: 'format' }), h('div', { class: 'actions' }, exportButton)),
    exportResult);

  const reportFormat = h('select', {}, h('option', { value: 'json', text: 'JSON' }), h('option', { value: 'csv', text: 'CSV' }));
  const reportButton = h('button', { type: 'submit', text: 'Create report' });
  const reportResult = h('div', { 'aria-live': 'polite' });
  const reportForm = h('form', { novalidate: true, 'aria-label': 'Create a compliance report' },
    formAlert(),
    h('p', { class: 'muted', text: 'Per stream, per site and per both for the From–To range above (the last 30 days when both are empty): viewers, hours watched, P2P share, WAN bytes saved, rebuffering and integrity failures. Signed, and recorded.' }),
    h('div', { class: 'inline-fields' }, field('Report format', reportFormat, { name: 'reportFormat' }), h('div', { class: 'actions' }, reportButton)),
    reportResult);

  container.append(h('div', { class: 'page-head' }, h('h1', { text: 'Audit log' })),
    filters, summary, table, h('div', { class: 'actions' }, more), section('Signed export', exportForm),
    section('Compliance report', reportForm));

  let next = null;
  let shown = 0;
  const urls = [];

  /** The filters as query parameters; null (with the error shown) when a time is unreadable. */
  function query() {
    clearErrors(filters);
    const params = { actor: actor.value.trim(), action: action.value.trim(), outcome: outcome.value };
    for (const [name, input] of [['from', from], ['to', to]]) {
      if (input.value) {
        const t = new Date(input.value);
        if (Number.isNaN(t.getTime())) {
          showError(filters, { field: name, message: 'Choose a date and time.' });
          return null;
        }
        params[name] = t.toISOString();
      }
    }
    if (params.from && params.to && params.to <= params.from) {
      showError(filters, { field: 'to', message: 'The end must be after the start.' });
      return null;
    }
    return params;
  }

  async function load(append) {
    const params = query();
    if (!params) {
      return;
    }
    submit.disabled = true;
    more.disabled = true;
    try {
      const page = await api.get(`/audit${api.query({ ...params, limit: PAGE, before: append ? next : null })}`);
      const rows = page.entries.map(row);
      if (append) {
        body.append(...rows);
        shown += rows.length;
      } else {
        body.replaceChildren(...rows);
        shown = rows.length;
      }
      next = page.next;
      more.hidden = next === null;
      summary.className = shown ? 'muted' : 'empty';
      summary.textContent = shown ? `${shown} entr${shown === 1 ? 'y' : 'ies'}${next === null ? '' : ' so far'}, newest first.`
        : 'No audit entries match these filters.';
    } catch (err) {
      showError(filters, err);
    } finally {
      submit.disabled = false;
      more.disabled = false;
    }
  }

  function row(e) {
    const details = JSON.stringify(e.details, null, 2);
    return h('tr', { 'data-seq': e.seq },
      h('td', { class: 'num', text: String(e.seq) }),
      h('td', { text: format.dateTime(e.time), title: e.time }),
      h('th', { scope: 'row', text: e.actor }),
      h('td', { text: e.source || '–' }),
      h('td', {}, h('code', { text: e.action })),
      h('td', { class: 'wrap', text: e.target || '–' }),
      h('td', {}, h('span', { class: `outcome outcome-${e.outcome}`, text: e.outcome })),
      h('td', {}, details === '{}' ? '–' : h('details', {}, h('summary', { text: 'Show' }), h('pre', { class: 'mono', text: details }))));
  }

  /**
   * Fetches a signed file from `path` and offers it and its signature as two downloads in `result`;
   * the signature (DER) comes base64-encoded in the X-Audit-Signature header of the same answer.
   */
  async function signedDownload(form, button, result, path, fallbackName) {
    clearErrors(form);
    button.disabled = true;
    result.replaceChildren(h('p', { class: 'muted', text: 'Working…' }));
    try {
      const file = await api.download(path);
      const id = file.headers.get('X-Audit-Export');
      const der = Uint8Array.from(atob(file.headers.get('X-Audit-Signature') || ''), (c) => c.charCodeAt(0));
      const signature = new Blob([der], { type: 'application/pkcs7-signature' });
      const name = file.filename || fallbackName;
      const link = (blob, filename, text) => {
        const url = URL.createObjectURL(blob);
        urls.push(url);
        return h('a', { class: 'button secondary', href: url, download: filename, text });
      };
      result.replaceChildren(h('div', { class: 'notice', role: 'status' },
        h('p', { text: `Ready: ${name} (${format.bytes(file.blob.size)}), SHA-256 ${id}.` }),
        h('div', { class: 'actions' }, link(file.blob, name, `Download ${name}`), link(signature, `${name}.p7s`, 'Download signature (.p7s)')),
        h('p', { class: 'muted' }, 'Check it with ', h('code', { text: `openssl cms -verify -binary -inform DER -in ${name}.p7s -content ${name} -CAfile ca.crt -purpose any` }), '.')));
      load(false);
    } catch (err) {
      result.replaceChildren();
      showError(form, err);
    } finally {
      button.disabled = false;
    }
  }

  function exportNow() {
    const params = query();
    if (params) {
      signedDownload(exportForm, exportButton, exportResult,
        `/audit/export${api.query({ format: exportFormat.value, from: params.from, to: params.to })}`,
        `swarmgate-audit.${exportFormat.value}`);
    }
  }

  function reportNow() {
    const params = query();
    if (params) {
      signedDownload(reportForm, reportButton, reportResult,
        `/audit/report${api.query({ format: reportFormat.value, from: params.from, to: params.to })}`,
        `swarmgate-compliance.${reportFormat.value}`);
    }
  }

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    load(false);
  });
  more.addEventListener('click', () => load(true));
  exportForm.addEventListener('submit', (event) => {
    event.preventDefault();
    exportNow();
  });
  reportForm.addEventListener('submit', (event) => {
    event.preventDefault();
    reportNow();
  });
  load(false);
  return () => urls.forEach((u) => URL.revokeObjectURL(u));
}
