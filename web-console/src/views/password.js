// Password change: forced after a one-time password (the API answers everything else with
// password_change_required until this succeeds). The length rule is checked here first; the
// server's own rules (not the username, differs from the current one) come back by field.
import * as api from '../api.js';
import { clearErrors, field, formAlert, h, showError } from '../dom.js';

export const title = 'Change password';
const MIN_LENGTH = 12;

export function render(container, ctx) {
  const current = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: String(MIN_LENGTH), maxlength: '256' });
  const repeat = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const submit = h('button', { type: 'submit', text: 'Change password' });
  const forced = ctx.session?.mustChangePassword;
  const form = h('form', { class: 'card narrow', novalidate: true, 'aria-labelledby': 'password-title' },
    h('h1', { id: 'password-title', text: 'Choose a new password' }),
    forced ? h('p', { class: 'notice', text: 'You signed in with a one-time password. Choose your own password to continue.' }) : null,
    formAlert(),
    field(forced ? 'One-time password' : 'Current password', current, { name: 'currentPassword' }),
    field('New password', next, { name: 'newPassword', hint: `At least ${MIN_LENGTH} characters, not containing your username.` }),
    field('Repeat new password', repeat, { name: 'repeatPassword' }),
    h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!current.value) {
      showError(form, { field: 'currentPassword', message: 'Enter your current password.' });
      return;
    }
    if (next.value.length < MIN_LENGTH) {
      showError(form, { field: 'newPassword', message: `The password must have at least ${MIN_LENGTH} characters.` });
      return;
    }
    if (ctx.session && next.value.toLowerCase().includes(ctx.session.username.toLowerCase())) {
      showError(form, { field: 'newPassword', message: 'The password must not contain the username.' });
      return;
    }
    if (repeat.value !== next.value) {
      showError(form, { field: 'repeatPassword', message: 'The two new passwords differ.' });
      return;
    }
    submit.disabled = true;
    try {
      const session = await api.post('/session/password', { currentPassword: current.value, newPassword: next.value }, { quiet: true });
      ctx.setSession(session);
      ctx.navigate('dashboard');
    } catch (err) {
      if (err.code === 'unauthenticated') {
        ctx.setSession(null);
        ctx.navigate('login');
        return;
      }
      showError(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  container.append(form);
  current.focus();
}
