// Live dashboard: headline numbers, four charts over the last few minutes, the per-site table,
// the why-not-P2P breakdown, the cluster's appliances (dashboard-cluster.js) and segment
// integrity. Samples arrive from live.js (socket, or polling as fallback) into ring buffers;
// drawing happens at most once per animation frame however fast they come.
import { get } from '../api.js';
import { timeChart } from '../charts.js';
import { emptyRow, h, section } from '../dom.js';
import * as format from '../format.js';
import { DEFAULT_CONFIG, openLiveFeed, pollEvery } from '../live.js';
import { clusterPanel } from './dashboard-cluster.js';

export const title = 'Dashboard';

/** Fixed-capacity FIFO of numbers (or null) that overwrites the oldest entry when full. */
class RingBuffer {
  constructor(capacity) {
    this.values = new Array(capacity);
    this.start = 0;
    this.length = 0;
  }

  push(value) {
    const capacity = this.values.length;
    this.values[(this.start + this.length) % capacity] = value;
    if (this.length < capacity) {
      this.length++;
    } else {
      this.start = (this.start + 1) % capacity;
    }
  }

  toArray() {
    const out = new Array(this.length);
    for (let i = 0; i < this.length; i++) {
      out[i] = this.values[(this.start + i) % this.values.length];
    }
    return out;
  }
}

const COLUMNS = ['t', 'viewers', 'efficiency', 'httpBps', 'p2pBps', 'rebufferRatio'];

const WHY_NOT_P2P = [
  ['timeout', 'Peer too slow (timeout)'],
  ['integrity', 'Integrity check failed'],
  ['gone', 'Peer left'],
  ['noHolder', 'No peer had the segment'],
  ['policy', 'Policy: P2P off or download-only'],
  ['paused', 'Viewer\'s own transfers stalling (paused)'],
];

/** The Sites table's columns (its one-cell rows span them all). */
const SITE_COLUMNS = ['Site', 'Viewers', 'Peer efficiency', 'HTTP', 'P2P', 'Rebuffer', 'Upload capacity', 'WAN link'];

/**
 * A site's name, marked with how many of its viewers reach no colleague when any do: their
 * pairings fail to connect and they have no data channel open (an endpoint firewall or VPN client
 * that blocks WebRTC), so each takes every segment over the site's link.
 */
function siteCell(s) {
  const n = s.viewersReachingNobody || 0;
  return h('td', {}, s.site, n ? [' ', h('span', {
    class: 'link-congested reach-nobody',
    title: `${format.count(n)} of this site's viewers reach no colleague (WebRTC blocked on their desktop?):`
      + ' each takes every segment over the WAN',
    text: `${format.count(n)} blocked`,
  })] : null);
}

/**
 * A site's WAN link: the HTTP throughput the appliance tells the site's joining viewers (the
 * median of their fastest recent fetches, remembered for a day), marked in words when they take
 * the link for congested (under 8 Mbit/s, the SDK's threshold): they then connect to colleagues
 * at once and prefer them to the link. The title says when it was measured, by the appliance's
 * clock (`now`: the sample's time).
 */
function wanCell(s, now) {
  if (s.wanKbps == null) {
    return h('td', { class: 'num', text: '–' });
  }
  const age = (Number.isNaN(now) ? Date.now() : now) - Date.parse(s.wanMeasuredAt);
  const title = `Measured ${format.dateTime(s.wanMeasuredAt)} (${format.ago(age)})`
    + (s.wanCongested ? ': viewers of this site take its link for congested and prefer colleagues on the LAN' : '');
  return h('td', { class: 'num wan', title },
    format.bitrate(s.wanKbps * 1000),
    s.wanCongested ? [' ', h('span', { class: 'link-congested', text: 'congested' })] : null);
}

const STATE_TEXT = {
  connecting: 'Connecting to the live feed…',
  socket: 'Live: updated every second.',
  polling: 'Live socket unavailable: polling every 2 s.',
  unavailable: 'No QoE data yet: the appliance does not provide live figures (yet).',
  error: 'The live feed failed',
};

export function render(container) {
  let buffers = null;
  let latest = null;
  let frame = 0;

  const status = h('p', { class: 'live-status', role: 'status', text: STATE_TEXT.connecting });
  const kpis = {};
  const kpi = (key, label) => {
    kpis[key] = h('span', { class: 'kpi-value', id: `kpi-${key}`, text: '–' });
    return h('div', { class: 'kpi' }, h('span', { class: 'kpi-label', text: label }), kpis[key]);
  };
  const headline = h('div', { class: 'kpis', 'aria-label': 'Current figures' },
    kpi('viewers', 'Viewers'),
    kpi('efficiency', 'Peer efficiency'),
    kpi('httpBps', 'HTTP bitrate'),
    kpi('p2pBps', 'P2P bitrate'),
    kpi('rebufferRatio', 'Rebuffer ratio'),
    kpi('startup', 'Startup p50 / p95'));
  const chartGrid = h('div', { class: 'charts charts-4' });
  const siteBody = h('tbody');
  const streamBody = h('tbody');
  const whyList = h('ul', { class: 'bars' });
  const empty = h('p', { class: 'empty', text: 'No QoE data yet. Figures appear here as soon as viewers play a stream.' });
  const integrity = integrityPanel();
  const cluster = clusterPanel();

  container.append(
    h('div', { class: 'page-head' }, h('h1', { text: 'Live dashboard' }), status),
    headline,
    empty,
    chartGrid,
    h('div', { class: 'columns' },
      section('Sites', h('table', { class: 'data', id: 'live-sites' },
        // One row per site, all streams together: /qoe/live's bySite is summed over streams
        // (the Streams table has the per-stream figures).
        h('caption', { class: 'sr-only', text: 'Viewers and delivery per site, all streams together' }),
        h('thead', {}, h('tr', {}, SITE_COLUMNS.map((c) => h('th', { scope: 'col', text: c })))),
        siteBody)),
      h('div', {},
        section('Why not P2P', h('p', { class: 'muted', text: 'Segments fetched over HTTP although P2P was possible, by reason.' }), whyList),
        section('Streams', h('table', { class: 'data', id: 'live-streams' },
          h('thead', {}, h('tr', {}, ['Stream', 'Viewers', 'Peer efficiency'].map((c) => h('th', { scope: 'col', text: c })))),
          streamBody)))),
    cluster.element,
    integrity.element);

  const charts = [
    timeChart(chartGrid, { height: 150, liveLegend: false, title: 'Viewers', kind: 'count', series: [{ label: 'Viewers', fill: true }] }),
    timeChart(chartGrid, { height: 150, liveLegend: false, title: 'Bitrate (bit/s): HTTP vs P2P', kind: 'bitrate', series: [{ label: 'HTTP', fill: true }, { label: 'P2P', fill: true }] }),
    timeChart(chartGrid, { height: 150, liveLegend: false, title: 'Peer efficiency', kind: 'ratio', yRange: [0, 1], series: [{ label: 'Efficiency' }] }),
    timeChart(chartGrid, { height: 150, liveLegend: false, title: 'Rebuffer ratio', kind: 'ratioFine', series: [{ label: 'Rebuffer ratio' }] }),
  ];

  function configure(config) {
    const capacity = Math.max(2, Math.ceil((config.historySeconds * 1000) / config.intervalMs));
    const previous = buffers;
    buffers = Object.fromEntries(COLUMNS.map((c) => [c, new RingBuffer(capacity)]));
    // Keep what is already drawn when the socket reconnects with the same settings.
    if (previous) {
      const old = Object.fromEntries(COLUMNS.map((c) => [c, previous[c].toArray()]));
      old.t.forEach((_, i) => COLUMNS.forEach((c) => buffers[c].push(old[c][i])));
    }
  }

  function onData(sample) {
    if (!buffers) {
      configure(DEFAULT_CONFIG);
    }
    const t = Date.parse(sample.time);
    buffers.t.push((Number.isNaN(t) ? Date.now() : t) / 1000);
    for (const c of COLUMNS.slice(1)) {
      buffers[c].push(typeof sample[c] === 'number' ? sample[c] : null);
    }
    latest = sample;
    if (!frame) {
      frame = requestAnimationFrame(draw);
    }
  }

  function draw() {
    frame = 0;
    const columns = COLUMNS.map((c) => buffers[c].toArray());
    const [t, viewers, efficiency, httpBps, p2pBps, rebuffer] = columns;
    charts[0].setData([t, viewers]);
    charts[1].setData([t, httpBps, p2pBps]);
    charts[2].setData([t, efficiency]);
    charts[3].setData([t, rebuffer]);
    empty.hidden = true;

    kpis.viewers.textContent = format.count(latest.viewers);
    kpis.efficiency.textContent = format.percent(latest.efficiency);
    kpis.httpBps.textContent = format.bitrate(latest.httpBps);
    kpis.p2pBps.textContent = format.bitrate(latest.p2pBps);
    kpis.rebufferRatio.textContent = format.percent(latest.rebufferRatio, 2);
    kpis.startup.textContent = `${format.millis(latest.startupP50Ms)} / ${format.millis(latest.startupP95Ms)}`;

    const sites = [...(latest.bySite || [])].sort((a, b) => (b.viewers || 0) - (a.viewers || 0));
    siteBody.replaceChildren(...(sites.length ? sites.map((s) => h('tr', {},
      siteCell(s),
      h('td', { class: 'num', text: format.count(s.viewers) }), h('td', { class: 'num', text: format.percent(s.efficiency) }),
      h('td', { class: 'num', text: format.bitrate(s.httpBps) }), h('td', { class: 'num', text: format.bitrate(s.p2pBps) }),
      h('td', { class: 'num', text: format.percent(s.rebufferRatio, 2) }),
      // The median of what the site's viewers measured sending segments to each other (kbit/s).
      h('td', { class: 'num', text: s.uploadCapacityKbps == null ? '–' : format.bitrate(s.uploadCapacityKbps * 1000) }),
      wanCell(s, Date.parse(latest.time)))) : [emptyRow(SITE_COLUMNS.length, 'No viewers right now.')]));

    const streams = [...(latest.byStream || [])].sort((a, b) => (b.viewers || 0) - (a.viewers || 0));
    streamBody.replaceChildren(...(streams.length ? streams.map((s) => h('tr', {},
      h('td', { text: s.stream }), h('td', { class: 'num', text: format.count(s.viewers) }),
      h('td', { class: 'num', text: format.percent(s.efficiency) }))) : [emptyRow(3, 'No streams playing.')]));

    const why = latest.whyNotP2p || {};
    const total = WHY_NOT_P2P.reduce((sum, [key]) => sum + (why[key] || 0), 0);
    whyList.replaceChildren(...WHY_NOT_P2P.map(([key, label]) => {
      const n = why[key] || 0;
      return h('li', {},
        h('span', { class: 'bar-label', id: `why-${key}`, text: label }),
        h('progress', { max: String(Math.max(total, 1)), value: String(n), 'aria-labelledby': `why-${key}` }),
        h('span', { class: 'num', text: total ? `${format.count(n)} (${format.percent(n / total, 0)})` : '0' }));
    }));
  }

  function onState(state, detail) {
    status.textContent = state === 'error' && detail ? `${STATE_TEXT.error}: ${detail}` : STATE_TEXT[state];
    status.dataset.state = state;
    if (state === 'unavailable') {
      empty.hidden = false;
    }
  }

  function showEmpty() {
    whyList.replaceChildren(...WHY_NOT_P2P.map(([key, label]) => h('li', {},
      h('span', { class: 'bar-label', id: `why-${key}`, text: label }),
      h('progress', { max: '1', value: '0', 'aria-labelledby': `why-${key}` }),
      h('span', { class: 'num', text: '–' }))));
    siteBody.replaceChildren(emptyRow(SITE_COLUMNS.length, 'No data yet.'));
    streamBody.replaceChildren(emptyRow(3, 'No data yet.'));
  }
  showEmpty();

  const feed = openLiveFeed({ onConfig: configure, onData, onState });
  return () => {
    feed.destroy();
    integrity.destroy();
    cluster.destroy();
    cancelAnimationFrame(frame);
    charts.forEach((c) => c.destroy());
  };
}

/** How often the integrity figures are read: they change rarely, and only on an attack. */
const INTEGRITY_POLL_MS = 5000;

/**
 * Segment integrity: what the appliance fetched from origins to learn segment hashes, integrity
 * reports per stream and site, and the peers barred for bytes that failed the check
 * (GET /api/v1/integrity; docs/security.md, "Offenders").
 */
function integrityPanel() {
  const figures = h('p', { class: 'muted', id: 'integrity-figures', text: 'Loading…' });
  const siteBody = h('tbody');
  const offenderBody = h('tbody');
  const element = section('Segment integrity',
    h('p', { class: 'muted', text: 'Peers whose bytes failed the hash the appliance learnt from the origin. A peer reported from two addresses is barred: it keeps watching over HTTP but exchanges no segments.' }),
    figures,
    h('div', { class: 'columns' },
      h('table', { class: 'data', id: 'integrity-sites' },
        h('caption', { class: 'sr-only', text: 'Integrity reports and barred peers per stream and site' }),
        h('thead', {}, h('tr', {}, ['Stream', 'Site', 'Reports', 'Barred'].map((c) => h('th', { scope: 'col', text: c })))),
        siteBody),
      h('table', { class: 'data', id: 'integrity-offenders' },
        h('caption', { class: 'sr-only', text: 'Barred peers, most recent first' }),
        h('thead', {}, h('tr', {}, ['Barred at', 'Stream', 'Site', 'Peer', 'Address', 'Reported by'].map((c) => h('th', { scope: 'col', text: c })))),
        offenderBody)));

  async function refresh() {
    try {
      const data = await get('/integrity', { quiet: true });
      const a = data.anchor || {};
      figures.textContent = `Origin fetches for hashes: ${format.count(a.fetches)} (${format.bytes(a.fetchedBytes)}), `
        + `failed ${format.count(a.failures)}; reports ${format.count(data.reports)}; barred peers ${format.count(data.barred)}; `
        + `P2P transfers dropped without a hash ${format.count(data.unverifiedTransfers)}.`;
      const sites = [];
      const offenders = [];
      for (const stream of data.streams || []) {
        for (const [site, c] of Object.entries(stream.sites || {})) sites.push([stream.streamId, site, c]);
        for (const o of stream.offenders || []) offenders.push({ ...o, streamId: stream.streamId });
      }
      offenders.sort((x, y) => String(y.barredAt).localeCompare(String(x.barredAt)));
      siteBody.replaceChildren(...(sites.length ? sites.map(([stream, site, c]) => h('tr', {},
        h('td', { text: stream }), h('td', { text: site }),
        h('td', { class: 'num', text: format.count(c.reports) }), h('td', { class: 'num', text: format.count(c.barred) })))
        : [emptyRow(4, 'No integrity reports.')]));
      offenderBody.replaceChildren(...(offenders.length ? offenders.map((o) => h('tr', {},
        h('td', { text: format.dateTime(o.barredAt) }), h('td', { text: o.streamId }), h('td', { text: o.site }),
        h('td', { text: o.peerId }), h('td', { text: o.address }),
        h('td', { class: 'num', text: `${format.count(o.reporters)} addresses` })))
        : [emptyRow(6, 'No peer is barred.')]));
    } catch (e) {
      figures.textContent = `Integrity figures unavailable: ${e.message}`;
    }
  }
  const poller = pollEvery(refresh, INTEGRITY_POLL_MS);
  return { element, destroy: () => poller.destroy() };
}
