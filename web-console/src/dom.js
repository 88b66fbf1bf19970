// Building blocks shared by the views: element creation (never HTML strings, so no markup the
// CSP would have to trust), labelled form fields with an error slot, field-error display for
// ApiError, one-time secret boxes and a modal confirmation.

/**
 * Creates an element. `attrs` keys: `class`, `text`, `on<event>` handlers, boolean attributes
 * (true → present, false/null → absent) and plain attributes. Children may be strings or nodes.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key === 'class') {
      el.className = value;
    } else if (key === 'text') {
      el.textContent = value;
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value') {
      el.value = value;
    } else if (key === 'checked') {
      el.checked = Boolean(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return el;
}

let nextId = 0;

/**
 * A labelled form control with a hint and an error slot. `name` is the JSON field the server
 * names in `error.field`, so showError() can place the message next to the right control.
 *
 * @param {string} label
 * @param {HTMLElement} control input, select or textarea (gets name, id and aria-describedby)
 * @param {{name: string, hint?: string}} options
 */
export function field(label, control, { name, hint } = {}) {
  const id = `f${++nextId}`;
  control.id = id;
  control.name = name;
  const error = h('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': name, hidden: true, 'aria-live': 'polite' });
  const described = [`${id}-error`];
  let hintEl = null;
  if (hint) {
    hintEl = h('p', { class: 'hint', id: `${id}-hint`, text: hint });
    described.unshift(`${id}-hint`);
  }
  control.setAttribute('aria-describedby', described.join(' '));
  // Editing a control withdraws the error shown for it; the next submit checks again.
  control.addEventListener('input', () => {
    error.hidden = true;
    control.removeAttribute('aria-invalid');
  });
  const labelEl = h('label', { for: id, text: label });
  const parts = control.type === 'checkbox' ? [control, labelEl, hintEl, error] : [labelEl, control, hintEl, error];
  return h('div', { class: `field${control.type === 'checkbox' ? ' field-check' : ''}` }, ...parts);
}

/** Shows `message` next to the control named `name` in `form`; returns false when there is none. */
export function setFieldError(form, name, message) {
  const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  if (!slot) {
    return false;
  }
  slot.textContent = message;
  slot.hidden = false;
  const control = form.elements.namedItem(name);
  if (control instanceof HTMLElement) {
    control.setAttribute('aria-invalid', 'true');
  }
  return true;
}

/** Clears every field error and the form-level alert of `form`. */
export function clearErrors(form) {
  for (const slot of form.querySelectorAll('[data-error-for]')) {
    slot.textContent = '';
    slot.hidden = true;
  }
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
  }
  const alert = form.querySelector('.form-alert');
  if (alert) {
    alert.replaceChildren();
    alert.hidden = true;
  }
}

/**
 * Shows an error on `form`: next to its field when the server named one the form has, otherwise
 * in the form's alert box, with the per-line problems (CSV import) listed below the message.
 * Focuses the offending control so keyboard users land on it.
 */
export function showError(form, error) {
  const message = error?.message || String(error);
  if (error?.field && setFieldError(form, error.field, message)) {
    form.elements.namedItem(error.field)?.focus?.();
    return;
  }
  let alert = form.querySelector('.form-alert');
  if (!alert) {
    alert = h('div', { class: 'form-alert', role: 'alert' });
    form.prepend(alert);
  }
  alert.replaceChildren(h('p', { text: message }));
  if (error?.problems?.length) {
    alert.append(h('ul', { class: 'problems' }, error.problems.map((p) => h('li', { text: p }))));
  }
  alert.hidden = false;
}

/** An empty alert box placed where a form wants its general errors (role=alert, hidden). */
export function formAlert() {
  return h('div', { class: 'form-alert', role: 'alert', hidden: true });
}

/**
 * A box showing a secret that the appliance reveals only once (generated token secret, API
 * token, one-time password), with a copy button.
 */
export function secretBox(title, secret, note) {
  const value = h('code', { class: 'secret-value', text: secret, tabindex: '0' });
  const status = h('span', { class: 'muted', 'aria-live': 'polite' });
  const copy = h('button', {
    type: 'button',
    class: 'secondary',
    text: 'Copy',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(secret);
        status.textContent = 'Copied.';
      } catch {
        // Clipboard access can be refused; selecting the text lets the admin copy it by hand.
        const range = document.createRange();
        range.selectNodeContents(value);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        status.textContent = 'Selected: press Ctrl+C to copy.';
      }
    },
  });
  return h('div', { class: 'secret-box', role: 'status' },
    h('strong', { text: title }),
    h('div', { class: 'secret-row' }, value, copy, status),
    h('p', { class: 'muted', text: note || 'Shown only now: store it before leaving this page.' }));
}

/** Asks for confirmation in a modal <dialog>; resolves to true when confirmed. */
export function confirmDialog(message, confirmLabel = 'Delete') {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-label': 'Confirm' },
      h('form', { method: 'dialog' },
        h('p', { text: message }),
        h('div', { class: 'actions' },
          h('button', { value: 'cancel', class: 'secondary', text: 'Cancel' }),
          h('button', { value: 'confirm', class: 'danger', text: confirmLabel }))));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('button[value="cancel"]').focus();
  });
}

/** Disables every control of `root` (read-only role), keeping them readable. */
export function disableAll(root) {
  for (const control of root.querySelectorAll('input, select, textarea, button')) {
    control.disabled = true;
  }
}

/** A table row with one cell spanning `span` columns, for "nothing to show". */
export function emptyRow(span, text) {
  return h('tr', {}, h('td', { colspan: String(span), class: 'muted', text }));
}

/** A page section with a heading. */
export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', { text: title }), ...children);
}
