// Console entry point: finds out who is signed in, owns the navigation and the hash router
// (#/dashboard, #/streams, …) and mounts one view at a time. A view module exports
// { title, minRole?, render(container, ctx) } and render may return a cleanup function,
// called before the next view is mounted (the dashboard closes its live socket there).
import * as api from './api.js';
import { h } from './dom.js';
import * as login from './views/login.js';
import * as password from './views/password.js';
import * as dashboard from './views/dashboard.js';
import * as historyView from './views/history.js';
import * as streams from './views/streams.js';
import * as sites from './views/sites.js';
import * as admins from './views/admins.js';
import * as certificates from './views/certificates.js';
import * as audit from './views/audit.js';

const ROLE_RANK = { auditor: 1, operator: 2, admin: 3 };

/** Pages in navigation order; login and password are reachable only by state. */
const PAGES = [
  ['dashboard', 'Dashboard', dashboard],
  ['history', 'History', historyView],
  ['streams', 'Streams & policies', streams],
  ['sites', 'Sites', sites],
  ['admins', 'Admins & tokens', admins],
  ['certificates', 'Certificates', certificates],
  ['audit', 'Audit log', audit],
];
const SPECIAL = { login, password };

let session = null;
let cleanup = null;

const view = document.getElementById('view');
const nav = document.getElementById('nav');
const account = document.getElementById('account');

/** Whether the signed-in role is at least `role`. */
function allowed(role) {
  return Boolean(session) && ROLE_RANK[session.role] >= ROLE_RANK[role || 'auditor'];
}

function navigate(route) {
  if (location.hash === `#/${route}`) {
    render();
  } else {
    location.hash = `#/${route}`;
  }
}

/** Called by the login and password views when the session changes. */
function setSession(next) {
  session = next;
  api.setCsrfToken(next?.csrfToken);
  renderChrome();
}

function renderChrome() {
  const signedIn = Boolean(session) && !session.mustChangePassword;
  nav.hidden = !signedIn;
  account.hidden = !session;
  if (!session) {
    nav.replaceChildren();
    account.replaceChildren();
    return;
  }
  const current = currentRoute();
  nav.replaceChildren(h('ul', {}, PAGES.filter(([, , module]) => allowed(module.minRole)).map(([route, label]) =>
    h('li', {}, h('a', { href: `#/${route}`, text: label, 'aria-current': route === current ? 'page' : null })))));
  account.replaceChildren(...[
    h('span', { class: 'who' }, session.username, ' ', h('span', { class: `role role-${session.role}`, text: session.role })),
    session.mustChangePassword ? null : h('a', { href: '#/password', text: 'Change password' }),
    h('button', { type: 'button', class: 'secondary small', text: 'Sign out', onclick: signOut }),
  ].filter(Boolean));
}

async function signOut() {
  try {
    await api.del('/session', { quiet: true });
  } catch {
    // Signing out of an already-ended session is fine.
  }
  setSession(null);
  navigate('login');
}

function currentRoute() {
  return (location.hash.match(/^#\/([a-z-]+)/) || [])[1] || 'dashboard';
}

function render() {
  let route = currentRoute();
  if (!session) {
    route = 'login';
  } else if (session.mustChangePassword) {
    route = 'password';
  } else if (route === 'login') {
    route = 'dashboard';
  }
  if (`#/${route}` !== location.hash) {
    history.replaceState(null, '', `#/${route}`);
  }
  const page = PAGES.find(([r]) => r === route);
  let module = page ? page[2] : SPECIAL[route];
  if (!module || !allowed(module.minRole) && !SPECIAL[route]) {
    module = dashboard;
    history.replaceState(null, '', '#/dashboard');
  }
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  renderChrome();
  document.title = `${module.title} · Swarmgate console`;
  const container = h('div', { class: `page page-${route}` });
  view.replaceChildren(container);
  const ctx = {
    session,
    setSession,
    navigate,
    /** True when the role may change what this page shows (operator for policies, admin for the rest). */
    canEdit: (role = 'operator') => allowed(role),
  };
  const result = module.render(container, ctx);
  cleanup = typeof result === 'function' ? result : null;
  // Moving focus to the page lets keyboard and screen-reader users start at the new content.
  view.focus({ preventScroll: true });
}

api.onSessionProblem({
  unauthenticated: () => {
    if (session) {
      setSession(null);
      render();
    }
  },
  passwordChangeRequired: () => {
    if (session && !session.mustChangePassword) {
      setSession({ ...session, mustChangePassword: true });
      render();
    }
  },
});

window.addEventListener('hashchange', render);

async function start() {
  try {
    setSession(await api.get('/session', { quiet: true }));
  } catch {
    setSession(null);
  }
  render();
}

start();
