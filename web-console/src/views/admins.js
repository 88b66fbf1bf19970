// Admins, roles and API tokens (admin role only): create administrators (the appliance answers
// with a one-time password, shown once), change roles, disable/enable, reset passwords; create
// API tokens bound to a role with a lifetime in days (the token is shown once), list them with
// their owner and expiry, and revoke them.
import * as api from '../api.js';
import { clearErrors, confirmDialog, field, formAlert, h, secretBox, section, showError } from '../dom.js';
import * as format from '../format.js';

export const title = 'Admins & tokens';
export const minRole = 'admin';

const ROLES = [['admin', 'Admin: everything'], ['operator', 'Operator: streams, policies, sites'], ['auditor', 'Auditor: read-only']];
const USERNAME = /^[a-z][a-z0-9._-]{1,63}$/;
// API token lifetimes (ApiTokens.DEFAULT_LIFETIME, MAX_LIFETIME).
const TOKEN_DAYS_DEFAULT = 90;
const TOKEN_DAYS_MAX = 365;

export function render(container, ctx) {
  const adminStatus = h('div', { class: 'status-area' });
  const tokenStatus = h('div', { class: 'status-area' });
  const adminBody = h('tbody');
  const tokenBody = h('tbody');
  container.append(
    h('div', { class: 'page-head' }, h('h1', { text: 'Admins, roles & API tokens' })),
    section('Administrators', adminStatus,
      h('table', { class: 'data', id: 'admins-table' },
        h('thead', {}, h('tr', {}, ['Username', 'Role', 'State', 'Last sign-in', 'Actions'].map((c) => h('th', { scope: 'col', text: c })))),
        adminBody),
      adminForm()),
    section('API tokens', h('p', { class: 'muted' }, 'For automation: send ', h('code', { text: 'Authorization: Bearer <token>' }), ' to ', h('a', { href: '/api/v1/openapi.json', text: 'the REST API' }), '.'),
      tokenStatus,
      h('table', { class: 'data', id: 'tokens-table' },
        h('thead', {}, h('tr', {}, ['Name', 'Role', 'Owner', 'Created', 'Expires', 'Last used', 'State', ''].map((c) => h('th', { scope: 'col', text: c })))),
        tokenBody),
      tokenForm()));
  loadAdmins();
  loadTokens();

  async function loadAdmins() {
    try {
      const admins = await api.get('/admins');
      adminBody.replaceChildren(...admins.map(adminRow));
    } catch (err) {
      adminStatus.replaceChildren(h('p', { class: 'form-alert', role: 'alert', text: err.message }));
    }
  }

  function adminRow(a) {
    const self = a.username === ctx.session.username;
    const role = h('select', { 'aria-label': `Role of ${a.username}`, disabled: self },
      ROLES.map(([v]) => h('option', { value: v, text: v, selected: v === a.role })));
    role.addEventListener('change', () => update(a.username, { role: role.value }, `${a.username} is now ${role.value}.`, () => { role.value = a.role; }));
    const state = [a.disabled ? 'disabled' : 'active', a.locked ? 'locked' : null, a.mustChangePassword ? 'must change password' : null].filter(Boolean).join(', ');
    return h('tr', {},
      h('th', { scope: 'row', text: a.username + (self ? ' (you)' : '') }),
      h('td', {}, role),
      h('td', { text: state }),
      h('td', { text: format.dateTime(a.lastLoginAt) }),
      h('td', { class: 'row-actions' },
        self ? null : h('button', {
          type: 'button', class: 'secondary small', text: a.disabled ? 'Enable' : 'Disable', 'aria-label': `${a.disabled ? 'Enable' : 'Disable'} ${a.username}`,
          onclick: () => update(a.username, { disabled: !a.disabled }, `${a.username} is ${a.disabled ? 'enabled' : 'disabled'}.`),
        }),
        h('button', {
          type: 'button', class: 'secondary small', text: 'Reset password', 'aria-label': `Reset the password of ${a.username}`,
          onclick: async () => {
            if (!await confirmDialog(`Replace the password of ${a.username} with a one-time password? Their sessions end now.`, 'Reset password')) {
              return;
            }
            try {
              const result = await api.post(`/admins/${encodeURIComponent(a.username)}/reset-password`, {});
              if (self) {
                // Resetting your own password ends your session too.
                ctx.setSession(null);
                ctx.navigate('login');
                return;
              }
              adminStatus.replaceChildren(secretBox(`One-time password for ${a.username}`, result.oneTimePassword,
                'Shown only now: hand it over securely. They must choose a new password at their next sign-in.'));
              loadAdmins();
            } catch (err) {
              adminStatus.replaceChildren(h('p', { class: 'form-alert', role: 'alert', text: err.message }));
            }
          },
        })));
  }

  async function update(username, change, done, undo) {
    try {
      await api.put(`/admins/${encodeURIComponent(username)}`, change);
      adminStatus.replaceChildren(h('p', { class: 'notice', role: 'status', text: done }));
      loadAdmins();
    } catch (err) {
      undo?.();
      adminStatus.replaceChildren(h('p', { class: 'form-alert', role: 'alert', text: err.message }));
    }
  }

  function adminForm() {
    const username = h('input', { type: 'text', required: true, maxlength: '64', autocomplete: 'off', spellcheck: 'false' });
    const role = h('select', {}, ROLES.map(([v, label]) => h('option', { value: v, text: label, selected: v === 'operator' })));
    const form = h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'Add an administrator' },
      h('h3', { text: 'Add an administrator' }),
      formAlert(),
      h('div', { class: 'inline-fields' },
        field('Username', username, { name: 'username' }),
        field('Role', role, { name: 'role' }),
        h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Add administrator' }))));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      if (!USERNAME.test(username.value.trim())) {
        showError(form, { field: 'username', message: 'Start with a lower-case letter; then 1–63 lower-case letters, digits, ".", "_" or "-".' });
        return;
      }
      try {
        const created = await api.post('/admins', { username: username.value.trim(), role: role.value });
        adminStatus.replaceChildren(secretBox(`One-time password for ${created.username} (${created.role})`, created.oneTimePassword,
          'Shown only now: hand it over securely. They must choose a new password at their first sign-in.'));
        form.reset();
        loadAdmins();
      } catch (err) {
        showError(form, err);
      }
    });
    return form;
  }

  async function loadTokens() {
    try {
      const tokens = await api.get('/tokens');
      const now = Date.now();
      tokenBody.replaceChildren(...(tokens.length ? tokens.map((t) => h('tr', {},
        h('th', { scope: 'row', text: t.name }),
        h('td', { text: t.role }),
        h('td', { text: t.createdBy }),
        h('td', { text: format.dateTime(t.createdAt) }),
        h('td', { text: format.dateTime(t.expiresAt) }),
        h('td', { text: format.dateTime(t.lastUsedAt) }),
        h('td', { text: t.revokedAt ? `revoked ${format.dateTime(t.revokedAt)}` : Date.parse(t.expiresAt) <= now ? 'expired' : 'active' }),
        h('td', { class: 'row-actions' }, t.revokedAt ? null : h('button', {
          type: 'button', class: 'danger small', text: 'Revoke', 'aria-label': `Revoke token ${t.name}`,
          onclick: async () => {
            if (!await confirmDialog(`Revoke the token "${t.name}"? Automation using it stops working at once.`, 'Revoke')) {
              return;
            }
            try {
              await api.del(`/tokens/${encodeURIComponent(t.id)}`);
              tokenStatus.replaceChildren(h('p', { class: 'notice', role: 'status', text: `Revoked ${t.name}.` }));
              loadTokens();
            } catch (err) {
              tokenStatus.replaceChildren(h('p', { class: 'form-alert', role: 'alert', text: err.message }));
            }
          },
        })))) : [h('tr', {}, h('td', { colspan: '8', class: 'muted', text: 'No API tokens.' }))]));
    } catch (err) {
      tokenStatus.replaceChildren(h('p', { class: 'form-alert', role: 'alert', text: err.message }));
    }
  }

  function tokenForm() {
    const name = h('input', { type: 'text', required: true, maxlength: '100', placeholder: 'monitoring', autocomplete: 'off' });
    const role = h('select', {}, ROLES.map(([v, label]) => h('option', { value: v, text: label, selected: v === 'auditor' })));
    const days = h('input', { type: 'number', min: '1', max: String(TOKEN_DAYS_MAX), step: '1', required: true });
    days.defaultValue = String(TOKEN_DAYS_DEFAULT); // also what form.reset() restores
    const form = h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'Create an API token' },
      h('h3', { text: 'Create an API token' }),
      formAlert(),
      h('div', { class: 'inline-fields' },
        field('Name', name, { name: 'name' }),
        field('Role', role, { name: 'role' }),
        field('Expires in (days)', days, { name: 'expiresInDays', hint: `1 to ${TOKEN_DAYS_MAX}` }),
        h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Create token' }))));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      if (!name.value.trim()) {
        showError(form, { field: 'name', message: 'Name the token after what uses it.' });
        return;
      }
      const lifetime = Number(days.value);
      if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > TOKEN_DAYS_MAX) {
        showError(form, { field: 'expiresInDays', message: `Enter a whole number of days from 1 to ${TOKEN_DAYS_MAX}.` });
        return;
      }
      try {
        const created = await api.post('/tokens', { name: name.value.trim(), role: role.value, expiresInDays: lifetime });
        tokenStatus.replaceChildren(secretBox(`API token "${created.name}" (${created.role}, expires ${format.dateTime(created.expiresAt)})`, created.token,
          'Shown only now: the appliance keeps only a hash of it.'));
        form.reset();
        loadTokens();
      } catch (err) {
        showError(form, err);
      }
    });
    return form;
  }
}
