// Certificates: the appliance CA and the HTTPS server certificate (subject, names,
// fingerprints, validity), a warning banner when the server certificate expires soon, the
// CSR for the enterprise CA and the import of its signed chain. The appliance checks the chain
// before it replaces the current one and its reason for a refusal is shown next to the field.
import * as api from '../api.js';
import { clearErrors, field, formAlert, h, section, showError } from '../dom.js';
import * as format from '../format.js';

export const title = 'Certificates';

export function render(container, ctx) {
  const isAdmin = ctx.canEdit('admin');
  const banner = h('div');
  const details = h('div', { class: 'columns' }, h('p', { class: 'muted', text: 'Loading…' }));
  container.append(
    h('div', { class: 'page-head' }, h('h1', { text: 'Certificates' }),
      isAdmin ? h('a', { class: 'button secondary', href: '/api/v1/certificates/csr', download: 'swarmgate.csr', text: 'Download CSR' }) : null),
    banner, details);
  if (isAdmin) {
    container.append(importForm());
  }
  load();

  async function load() {
    try {
      show(await api.get('/certificates'));
    } catch (err) {
      details.replaceChildren(h('p', { class: 'form-alert', role: 'alert', text: err.message }));
    }
  }

  function show(report) {
    banner.replaceChildren(report.expiryWarning
      ? h('div', { class: 'banner warning', role: 'alert' },
        h('strong', { text: report.serverDaysLeft < 0 ? 'The server certificate has expired. ' : `The server certificate expires in ${report.serverDaysLeft} days. ` }),
        isAdmin ? 'Download a CSR, have it signed by your CA and import the chain below.' : 'Ask an administrator to renew it.')
      : h('p', { class: 'notice', text: `The server certificate is valid for ${report.serverDaysLeft} more days.` }));
    // The chain repeats the leaf and often the CA; list only the certificates not shown already.
    const shown = new Set([report.server?.sha256Fingerprint, report.ca?.sha256Fingerprint]);
    const chain = (report.chain || []).filter((c) => !shown.has(c.sha256Fingerprint));
    details.replaceChildren(
      certPanel('Server certificate (HTTPS)', report.server),
      certPanel('Appliance CA', report.ca),
      ...chain.map((c, i) => certPanel(`Intermediate certificate ${i + 1}`, c)));
  }

  function importForm() {
    const file = h('input', { type: 'file', accept: '.pem,.crt,.cer' });
    const chain = h('textarea', { rows: '8', spellcheck: 'false', class: 'mono', placeholder: '-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----' });
    const submit = h('button', { type: 'submit', text: 'Import chain' });
    const result = h('div', { 'aria-live': 'polite' });
    const form = h('form', { novalidate: true, 'aria-label': 'Import a signed certificate chain' },
      formAlert(),
      field('PEM file', file, { name: 'file', hint: 'The signed server certificate first, then the intermediate CAs.' }),
      field('PEM chain', chain, { name: 'chain' }),
      h('div', { class: 'actions' }, submit),
      result);
    file.addEventListener('change', async () => {
      if (file.files[0]) {
        chain.value = await file.files[0].text();
      }
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      result.replaceChildren();
      if (!chain.value.includes('-----BEGIN CERTIFICATE-----')) {
        showError(form, { field: 'chain', message: 'Paste or choose a PEM chain (-----BEGIN CERTIFICATE----- …).' });
        return;
      }
      submit.disabled = true;
      try {
        show(await api.request('POST', '/certificates', { text: chain.value, contentType: 'application/x-pem-file' }));
        result.replaceChildren(h('p', { class: 'notice', role: 'status', text: 'Imported: the appliance now serves the new certificate.' }));
        form.reset();
      } catch (err) {
        showError(form, err);
      } finally {
        submit.disabled = false;
      }
    });
    return section('Import a signed chain', form);
  }
}

function certPanel(title, cert) {
  if (!cert) {
    return section(title, h('p', { class: 'muted', text: 'None.' }));
  }
  const row = (label, value) => [h('dt', { text: label }), h('dd', {}, value)];
  return section(title, h('dl', { class: 'facts' },
    row('Subject', cert.subject),
    row('Issuer', cert.issuer),
    row('Names (SAN)', (cert.subjectAltNames || []).join(', ') || '–'),
    row('SHA-256', h('code', { class: 'fingerprint', text: cert.sha256Fingerprint })),
    row('Serial', h('code', { text: cert.serial })),
    row('Valid from', format.dateTime(cert.notBefore)),
    row('Valid until', format.dateTime(cert.notAfter))));
}
