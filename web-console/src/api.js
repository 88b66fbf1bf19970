// The console's only way to the REST API (/api/v1). Sends and reads JSON, adds the CSRF header
// to every state-changing call, and turns the appliance's error shape
// {"error":{"code","message","field"?,"problems"?}} into ApiError exceptions.
//
// Two answers concern the whole console rather than the calling view, so they are also
// announced through the handlers set with onSessionProblem(): 401 `unauthenticated` (the
// session ended: show the login page) and 403 `password_change_required`.

const BASE = '/api/v1';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * A failed API call: HTTP status plus the appliance's error code, message, field and problems,
 * and `retryAfter` (seconds, from the `Retry-After` header; null without one).
 */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status (0 when the appliance could not be reached)
   * @param {{code?: string, message?: string, field?: string, problems?: string[]}} error
   * @param {number|null} [retryAfter] seconds to wait before trying again
   */
  constructor(status, error = {}, retryAfter = null) {
    super(error.message || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = error.code || (status === 0 ? 'unreachable' : `http_${status}`);
    this.field = error.field ? camelCase(error.field) : null;
    this.problems = Array.isArray(error.problems) ? error.problems : [];
    this.retryAfter = retryAfter;
  }
}

/** `Retry-After` in seconds: delay-seconds, or an HTTP date; null when absent or unreadable. */
function retryAfterSeconds(value) {
  if (!value) {
    return null;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim());
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** Field names in errors come from the domain code (`url-pattern`); forms use the JSON names (`urlPattern`). */
function camelCase(field) {
  return field.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

let csrfToken = null;
let sessionHandlers = { unauthenticated: () => {}, passwordChangeRequired: () => {} };

/** Remembers the CSRF token of the current session (from POST or GET /session); null on sign-out. */
export function setCsrfToken(token) {
  csrfToken = token ?? null;
}

/** @param {{unauthenticated: () => void, passwordChangeRequired: () => void}} handlers */
export function onSessionProblem(handlers) {
  sessionHandlers = { ...sessionHandlers, ...handlers };
}

/**
 * Calls the API. `json` is sent as a JSON body, `text` as a raw body of `contentType`.
 * Resolves to the parsed JSON (or text for non-JSON answers, null for 204).
 *
 * @param {string} method
 * @param {string} path below /api/v1, with its query string
 * @param {{json?: unknown, text?: string, contentType?: string, quiet?: boolean}} [options]
 *   quiet: do not announce 401/password-change to the session handlers (used by the login check)
 */
export async function request(method, path, { json, text, contentType, quiet = false } = {}) {
  const headers = { Accept: 'application/json' };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (text !== undefined) {
    headers['Content-Type'] = contentType || 'text/plain; charset=utf-8';
    body = text;
  }
  if (!SAFE_METHODS.has(method) && csrfToken) {
    headers['X-CSRF-Token'] = csrfToken;
  }
  let response;
  try {
    response = await fetch(BASE + path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, { message: `the appliance cannot be reached (${err.message})` });
  }
  if (response.status === 204) {
    return null;
  }
  const type = response.headers.get('Content-Type') || '';
  const payload = type.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (response.ok) {
    return payload;
  }
  const error = new ApiError(response.status, payload && typeof payload === 'object' ? payload.error : undefined,
    retryAfterSeconds(response.headers.get('Retry-After')));
  if (!quiet) {
    if (error.status === 401 && error.code === 'unauthenticated') {
      csrfToken = null;
      sessionHandlers.unauthenticated();
    } else if (error.status === 403 && error.code === 'password_change_required') {
      sessionHandlers.passwordChangeRequired();
    }
  }
  throw error;
}

/**
 * GETs a file (an export, a signature) as a Blob. Resolves to {blob, headers, filename}; errors
 * are ApiErrors as for request().
 *
 * @param {string} path below /api/v1, with its query string
 */
export async function download(path) {
  let response;
  try {
    response = await fetch(BASE + path, { credentials: 'same-origin', cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, { message: `the appliance cannot be reached (${err.message})` });
  }
  if (!response.ok) {
    const payload = await response.json().catch(() => null);
    throw new ApiError(response.status, payload?.error, retryAfterSeconds(response.headers.get('Retry-After')));
  }
  const disposition = response.headers.get('Content-Disposition') || '';
  return { blob: await response.blob(), headers: response.headers, filename: (disposition.match(/filename="([^"]+)"/) || [])[1] || null };
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, json, options) => request('POST', path, { json, ...options });
export const put = (path, json, options) => request('PUT', path, { json, ...options });
export const del = (path, options) => request('DELETE', path, options);

/** `?a=1&b=2` from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      search.set(key, String(value));
    }
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}
