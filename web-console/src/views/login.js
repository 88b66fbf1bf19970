// Sign-in page. The server's message is shown as is: every refusal is `invalid_credentials`
// ("wrong username or password", also for a disabled account or during back-off) or
// `too_many_attempts` (too many sign-ins being checked at once). When the answer carries
// `Retry-After` (back-off, or too many attempts), the page says when to try again.
import * as api from '../api.js';
import { clearErrors, field, formAlert, h, showError } from '../dom.js';

export const title = 'Sign in';

export function render(container, ctx) {
  const username = h('input', { type: 'text', autocomplete: 'username', required: true, maxlength: '64', autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { type: 'password', autocomplete: 'current-password', required: true, maxlength: '256' });
  const submit = h('button', { type: 'submit', text: 'Sign in' });
  const form = h('form', { class: 'card narrow', novalidate: true, 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title', text: 'Sign in to Swarmgate' }),
    formAlert(),
    field('Username', username, { name: 'username' }),
    field('Password', password, { name: 'password' }),
    h('div', { class: 'actions' }, submit),
    h('p', { class: 'muted', text: 'First sign-in: user admin with the one-time password from initial-admin-password in the data directory.' }));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!username.value.trim()) {
      showError(form, { field: 'username', message: 'Enter your username.' });
      return;
    }
    if (!password.value) {
      showError(form, { field: 'password', message: 'Enter your password.' });
      return;
    }
    submit.disabled = true;
    try {
      const session = await api.post('/session', { username: username.value.trim(), password: password.value }, { quiet: true });
      ctx.setSession(session);
      ctx.navigate(session.mustChangePassword ? 'password' : 'dashboard');
    } catch (err) {
      password.value = '';
      showError(form, err.retryAfter != null ? { message: `${err.message}; try again in ${Math.max(1, err.retryAfter)} s.` } : err);
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  container.append(form);
  username.focus();
}
