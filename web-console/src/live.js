// Live QoE feed for the dashboard, after statsviz: the socket /api/v1/live first sends
//   {"type":"config","intervalMs":1000,"series":[...],"historySeconds":300}
// then one {"type":"data", ...same fields as GET /qoe/live} per interval. When the socket
// closes it is reopened with capped exponential backoff; while it is down the feed polls
// GET /qoe/live every 2 s so the dashboard keeps moving. A 404 from the poll means the
// appliance has no QoE endpoint yet, reported as state 'unavailable'.
import { ApiError, get } from './api.js';

/** How often the dashboard reads figures that come by polling (this feed's fallback, the cluster). */
export const POLL_MS = 2000;
const BACKOFF_START_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
/** Used until (or unless) the socket sends its config. */
export const DEFAULT_CONFIG = Object.freeze({
  intervalMs: 1000,
  series: ['viewers', 'efficiency', 'httpBps', 'p2pBps', 'rebufferRatio', 'startupP50Ms'],
  historySeconds: 300,
});

/**
 * Opens the feed. Callbacks: onConfig(config) when the socket (re)announces its config,
 * onData(sample) per sample from socket or poll, onState(state, detail) with state one of
 * 'connecting' | 'socket' | 'polling' | 'unavailable' | 'error'.
 *
 * @returns {{destroy(): void}}
 */
export function openLiveFeed({ onConfig, onData, onState }) {
  let socket = null;
  let destroyed = false;
  let backoff = BACKOFF_START_MS;
  let reconnectTimer = null;
  let pollTimer = null;
  let polling = false;

  function connect() {
    if (destroyed) {
      return;
    }
    // While polling keeps figures coming, a reconnect attempt is not news for the page.
    if (!polling) {
      onState('connecting');
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    try {
      socket = new WebSocket(`${scheme}://${location.host}/api/v1/live`);
    } catch {
      scheduleReconnect();
      return;
    }
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === 'config') {
        backoff = BACKOFF_START_MS;
        stopPolling();
        onState('socket');
        onConfig({ ...DEFAULT_CONFIG, ...message });
      } else if (message.type === 'data') {
        onData(message);
      }
    };
    socket.onclose = () => {
      socket = null;
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    if (destroyed) {
      return;
    }
    startPolling();
    clearTimeout(reconnectTimer);
    // Jitter spreads the reconnects of many open consoles after an appliance restart.
    const delay = backoff * (0.75 + Math.random() * 0.5);
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    reconnectTimer = setTimeout(connect, delay);
  }

  function startPolling() {
    if (polling) {
      return;
    }
    polling = true;
    poll();
  }

  function stopPolling() {
    polling = false;
    clearTimeout(pollTimer);
  }

  async function poll() {
    if (!polling || destroyed) {
      return;
    }
    try {
      const sample = await get('/qoe/live');
      if (polling && !destroyed) {
        onState('polling');
        onData(sample);
      }
    } catch (err) {
      if (polling && !destroyed) {
        onState(err instanceof ApiError && err.status === 404 ? 'unavailable' : 'error', err.message);
      }
    }
    if (polling && !destroyed) {
      pollTimer = setTimeout(poll, POLL_MS);
    }
  }

  connect();
  return {
    destroy() {
      destroyed = true;
      stopPolling();
      clearTimeout(reconnectTimer);
      if (socket) {
        socket.onclose = null;
        socket.close();
        socket = null;
      }
    },
  };
}

/**
 * Calls `refresh` (async) now and again `intervalMs` after each call settles, until destroyed:
 * calls never overlap, however slow the appliance answers. `refresh` handles its own errors.
 *
 * @param {() => Promise<void>} refresh
 * @param {number} intervalMs
 * @returns {{destroy(): void}}
 */
export function pollEvery(refresh, intervalMs) {
  let timer = 0;
  let stopped = false;
  async function tick() {
    await refresh();
    if (!stopped) {
      timer = setTimeout(tick, intervalMs);
    }
  }
  tick();
  return {
    destroy() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
