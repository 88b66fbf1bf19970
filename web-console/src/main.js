// Console entry point: polls the appliance's health endpoints and renders the status panel.

const REFRESH_MS = 5000;

/** Fetches a JSON endpoint; resolves to {status, body} even for error statuses. */
async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return { status: response.status, body };
}

function show(id, text, state) {
  const el = document.getElementById(id);
  el.textContent = text;
  el.className = state ?? '';
}

function formatUptime(seconds) {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min ${seconds % 60} s`;
}

async function refresh() {
  try {
    const health = await getJson('/healthz');
    show('health', health.status === 200 ? 'up' : `HTTP ${health.status}`, health.status === 200 ? 'ok' : 'bad');
    if (health.body) {
      show('version', `version ${health.body.version}`);
      show('uptime', formatUptime(health.body.uptimeSeconds));
    }
    const ready = await getJson('/readyz');
    const db = ready.body?.checks?.database;
    show('database', db ? `${db.status} — ${db.detail}` : `HTTP ${ready.status}`, ready.status === 200 ? 'ok' : 'bad');
  } catch (err) {
    show('health', `unreachable (${err.message})`, 'bad');
  }
  show('updated', `Last update ${new Date().toLocaleTimeString()}.`);
}

refresh();
setInterval(refresh, REFRESH_MS);
