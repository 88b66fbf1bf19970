// Sites: the CIDR → site map. Single ranges are added and removed here; a whole CSV
// (cidr,site,label) is first previewed with POST /sites/import?dryRun=true — what would be
// added, changed or left as is — and only applied on a second, explicit step. A CSV with bad
// rows is refused whole and its problems are listed by line.
import * as api from '../api.js';
import { clearErrors, confirmDialog, field, formAlert, h, section, showError } from '../dom.js';

export const title = 'Sites';

const CIDR = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+)\/\d{1,3}$/;

export function render(container, ctx) {
  const canEdit = ctx.canEdit('operator');
  const listStatus = h('div', { role: 'status' });
  const tbody = h('tbody');
  const count = h('span', { class: 'muted' });
  container.append(
    h('div', { class: 'page-head' }, h('h1', { text: 'Sites' }),
      h('a', { class: 'button secondary', href: '/api/v1/sites/export', download: 'sites.csv', text: 'Export CSV' })),
    h('p', { class: 'muted', text: 'Viewers whose address falls in a range belong to its site; the mesh keeps swarms per site.' }));
  const columns = h('div', { class: 'columns' });
  container.append(columns);
  const listPanel = section('Site ranges', count, listStatus, h('table', { class: 'data', id: 'sites-table' },
    h('thead', {}, h('tr', {}, ['Range (CIDR)', 'Site', 'Label', ''].map((c) => h('th', { scope: 'col', text: c })))),
    tbody));
  columns.append(listPanel);
  if (canEdit) {
    columns.append(h('div', {}, addForm(), importForm()));
  } else {
    listPanel.append(h('p', { class: 'muted', text: 'Read-only: your role cannot change the site map.' }));
  }
  load();

  async function load() {
    try {
      const sites = await api.get('/sites');
      count.textContent = `${sites.length} range${sites.length === 1 ? '' : 's'}`;
      tbody.replaceChildren(...(sites.length ? sites.map((s) => h('tr', {},
        h('td', { class: 'mono', text: s.cidr }), h('td', { text: s.site }), h('td', { text: s.label || '' }),
        h('td', { class: 'row-actions' }, canEdit ? h('button', {
          type: 'button', class: 'danger small', text: 'Delete', 'aria-label': `Delete ${s.cidr}`,
          onclick: async () => {
            if (!await confirmDialog(`Remove the range ${s.cidr} (site ${s.site})?`)) {
              return;
            }
            try {
              await api.del(`/sites${api.query({ cidr: s.cidr })}`);
              listStatus.replaceChildren(h('p', { class: 'notice', text: `Removed ${s.cidr}.` }));
              load();
            } catch (err) {
              listStatus.replaceChildren(h('p', { class: 'form-alert', text: err.message }));
            }
          },
        }) : null))) : [h('tr', {}, h('td', { colspan: '4', class: 'muted', text: 'No site ranges: viewers are grouped into automatic sites.' }))]));
    } catch (err) {
      listStatus.replaceChildren(h('p', { class: 'form-alert', text: err.message }));
    }
  }

  function addForm() {
    const cidr = h('input', { type: 'text', required: true, maxlength: '64', placeholder: '10.20.0.0/16', spellcheck: 'false' });
    const site = h('input', { type: 'text', required: true, maxlength: '64', placeholder: 'paris' });
    const label = h('input', { type: 'text', maxlength: '200', placeholder: 'Paris HQ, floors 1-4' });
    const form = h('form', { novalidate: true, 'aria-label': 'Add a site range' },
      formAlert(),
      field('Range (CIDR)', cidr, { name: 'cidr' }),
      field('Site', site, { name: 'site' }),
      field('Label (optional)', label, { name: 'label' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Add range' })));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      if (!CIDR.test(cidr.value.trim())) {
        showError(form, { field: 'cidr', message: 'Give a range like 10.20.0.0/16 or 2001:db8::/48.' });
        return;
      }
      if (!site.value.trim()) {
        showError(form, { field: 'site', message: 'Give the site name.' });
        return;
      }
      try {
        await api.post('/sites', { cidr: cidr.value.trim(), site: site.value.trim(), label: label.value.trim() });
        listStatus.replaceChildren(h('p', { class: 'notice', text: `Added ${cidr.value.trim()} → ${site.value.trim()}.` }));
        form.reset();
        load();
        cidr.focus();
      } catch (err) {
        showError(form, err);
      }
    });
    return section('Add a range', form);
  }

  function importForm() {
    const file = h('input', { type: 'file', accept: '.csv,text/csv' });
    const csv = h('textarea', { rows: '6', spellcheck: 'false', placeholder: 'cidr,site,label\n10.20.0.0/16,paris,Paris HQ' });
    const preview = h('div', { class: 'preview', 'aria-live': 'polite' });
    const previewButton = h('button', { type: 'submit', text: 'Preview changes' });
    const form = h('form', { novalidate: true, 'aria-label': 'Import sites from CSV' },
      formAlert(),
      field('CSV file', file, { name: 'file', hint: 'Columns cidr,site,label — or paste the CSV below.' }),
      field('CSV text', csv, { name: 'csv' }),
      h('div', { class: 'actions' }, previewButton),
      preview);
    file.addEventListener('change', async () => {
      if (file.files[0]) {
        csv.value = await file.files[0].text();
        preview.replaceChildren();
      }
    });
    csv.addEventListener('input', () => preview.replaceChildren());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      preview.replaceChildren();
      const text = csv.value;
      if (!text.trim()) {
        showError(form, { field: 'csv', message: 'Choose a CSV file or paste its text.' });
        return;
      }
      previewButton.disabled = true;
      try {
        const diff = await api.request('POST', '/sites/import?dryRun=true', { text, contentType: 'text/csv; charset=utf-8' });
        showPreview(diff, text);
      } catch (err) {
        showError(form, err);
      } finally {
        previewButton.disabled = false;
      }
    });

    function showPreview(diff, text) {
      const nothing = diff.added.length === 0 && diff.changed.length === 0;
      const apply = h('button', {
        type: 'button', text: 'Apply import', disabled: nothing,
        onclick: async () => {
          apply.disabled = true;
          try {
            const result = await api.request('POST', '/sites/import', { text, contentType: 'text/csv; charset=utf-8' });
            preview.replaceChildren(h('p', { class: 'notice', role: 'status', text: `Imported: ${result.added.length} added, ${result.changed.length} changed, ${result.unchanged} unchanged.` }));
            csv.value = '';
            file.value = '';
            load();
          } catch (err) {
            apply.disabled = false;
            showError(form, err);
          }
        },
      });
      preview.replaceChildren(h('div', { class: 'card preview-card', id: 'import-preview' },
        h('h3', { text: 'Preview: nothing is changed until you apply' }),
        h('p', { class: 'summary', text: `${diff.added.length} to add, ${diff.changed.length} to change, ${diff.unchanged} unchanged.` }),
        diff.added.length ? h('table', { class: 'data compact' },
          h('caption', { text: 'Added' }),
          h('thead', {}, h('tr', {}, ['Range', 'Site', 'Label'].map((c) => h('th', { scope: 'col', text: c })))),
          h('tbody', {}, diff.added.map((s) => h('tr', { class: 'added' }, h('td', { class: 'mono', text: s.cidr }), h('td', { text: s.site }), h('td', { text: s.label }))))) : null,
        diff.changed.length ? h('table', { class: 'data compact' },
          h('caption', { text: 'Changed' }),
          h('thead', {}, h('tr', {}, ['Range', 'Now', 'After import'].map((c) => h('th', { scope: 'col', text: c })))),
          h('tbody', {}, diff.changed.map((c) => h('tr', { class: 'changed' }, h('td', { class: 'mono', text: c.cidr }),
            h('td', { text: describe(c.from) }), h('td', { text: describe(c.to) }))))) : null,
        h('p', { class: 'muted', text: 'Ranges missing from the file are kept.' }),
        h('div', { class: 'actions' }, apply,
          h('button', { type: 'button', class: 'secondary', text: 'Discard', onclick: () => { preview.replaceChildren(); csv.focus(); } }))));
      apply.focus();
    }
    return section('Import CSV', form);
  }
}

function describe(range) {
  return range.label ? `${range.site} (${range.label})` : range.site;
}
