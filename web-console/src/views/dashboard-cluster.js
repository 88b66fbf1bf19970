// The dashboard's cluster section (GET /api/v1/cluster, docs/scaling.md): one row per appliance
// with its address, state, viewers, streams and when it last published its figures; the totals
// across the cluster; and which appliance holds which stream. The rest of the dashboard shows
// the appliance the console is signed in to; this section is the only one about all of them.
//
// Viewers of one stream meet on one appliance (the load balancer shards /ws by stream), so a
// stream listed by two appliances splits its viewers into meshes that never pair: it is shown
// as a warning row.
import { get } from '../api.js';
import { emptyRow, h, section } from '../dom.js';
import * as format from '../format.js';
import { POLL_MS, pollEvery } from '../live.js';

/**
 * The appliances and streams of a /cluster answer, ready to show: appliances by name, streams
 * with the appliances holding them (largest audience first) and the totals.
 *
 * @param {{nowMs?: number, viewers: number, appliances: Array<{node: string, url: string, viewers: number,
 *   draining: boolean, self: boolean, updatedAtMs: number, streams: Array<{stream: string, viewers: number}>}>}} data
 */
function summarise(data) {
  // Ages on the answering appliance's clock: the browser's own clock may be off.
  const now = data.nowMs ?? Date.now();
  const appliances = [...(data.appliances || [])].sort((a, b) => String(a.node).localeCompare(String(b.node)));
  const streams = new Map();
  for (const a of appliances) {
    for (const s of a.streams || []) {
      const entry = streams.get(s.stream) || { stream: s.stream, viewers: 0, holders: [] };
      entry.viewers += s.viewers || 0;
      entry.holders.push({ node: a.node, viewers: s.viewers || 0 });
      streams.set(s.stream, entry);
    }
  }
  return {
    appliances: appliances.map((a) => ({ ...a, age: now - a.updatedAtMs })),
    streams: [...streams.values()].sort((x, y) => y.viewers - x.viewers || x.stream.localeCompare(y.stream)),
    viewers: data.viewers,
    draining: appliances.filter((a) => a.draining).length,
  };
}

/** @returns {{element: HTMLElement, destroy(): void}} */
export function clusterPanel() {
  const totals = h('p', { id: 'cluster-totals', role: 'status', text: 'Loading…' });
  const warning = h('p', { class: 'banner warning', id: 'cluster-warning', role: 'alert', hidden: true });
  const applianceBody = h('tbody');
  const streamBody = h('tbody');
  const element = section('Cluster',
    h('p', { class: 'muted', text: 'The appliances serving viewers and the streams each holds, refreshed every 2 s. '
      + 'With the embedded database this appliance is listed alone; in cluster mode (a shared PostgreSQL) every '
      + 'appliance that published its figures in the last three sync intervals.' }),
    totals,
    warning,
    h('div', { class: 'columns' },
      h('table', { class: 'data', id: 'cluster-appliances' },
        h('caption', { class: 'sr-only', text: 'Appliances of the cluster' }),
        h('thead', {}, h('tr', {}, ['Appliance', 'Address', 'State', 'Viewers', 'Streams', 'Last seen']
          .map((c) => h('th', { scope: 'col', text: c })))),
        applianceBody),
      h('table', { class: 'data', id: 'cluster-streams' },
        h('caption', { class: 'sr-only', text: 'Which appliance holds which stream' }),
        h('thead', {}, h('tr', {}, ['Stream', 'Appliance', 'Viewers'].map((c) => h('th', { scope: 'col', text: c })))),
        streamBody)));

  function draw(c) {
    const split = c.streams.filter((s) => s.holders.length > 1);
    setText(totals, `${format.count(c.appliances.length)} appliance${c.appliances.length === 1 ? '' : 's'}`
      + (c.draining ? ` (${format.count(c.draining)} draining)` : '')
      + `, ${format.count(c.viewers)} viewer${c.viewers === 1 ? '' : 's'}, ${format.count(c.streams.length)} stream${c.streams.length === 1 ? '' : 's'}.`);
    warning.hidden = split.length === 0;
    setText(warning, split.length
      ? `${split.map((s) => s.stream).join(', ')}: viewers on more than one appliance. Viewers of a stream meet only on `
        + 'one appliance, so these form separate meshes: the load balancer is not keeping each stream on one appliance '
        + '(docs/scaling.md, "The load balancer").'
      : '');
    applianceBody.replaceChildren(...(c.appliances.length ? c.appliances.map((a) => h('tr', { class: a.draining ? 'draining' : null },
      h('th', { scope: 'row' }, a.node, a.self ? h('span', { class: 'muted', text: ' (this one)' }) : null),
      h('td', { class: 'wrap', text: a.url }),
      h('td', { text: a.draining ? 'draining' : 'ready' }),
      h('td', { class: 'num', text: format.count(a.viewers) }),
      h('td', { class: 'num', text: format.count((a.streams || []).length) }),
      h('td', { text: format.ago(a.age) })))
      : [emptyRow(6, 'No appliance published its figures recently.')]));
    streamBody.replaceChildren(...(c.streams.length ? c.streams.map((s) => (s.holders.length > 1
      ? h('tr', { class: 'warning' },
        h('th', { scope: 'row', text: s.stream }),
        h('td', { text: `on ${s.holders.length} appliances: ${s.holders.map((x) => `${x.node} (${format.count(x.viewers)})`).join(', ')}` }),
        h('td', { class: 'num', text: format.count(s.viewers) }))
      : h('tr', {},
        h('th', { scope: 'row', text: s.stream }),
        h('td', { text: s.holders[0].node }),
        h('td', { class: 'num', text: format.count(s.viewers) }))))
      : [emptyRow(3, 'No streams playing.')]));
  }

  async function refresh() {
    try {
      draw(summarise(await get('/cluster', { quiet: true })));
    } catch (e) {
      setText(totals, `Cluster figures unavailable: ${e.message}`);
    }
  }

  const poller = pollEvery(refresh, POLL_MS);
  return { element, destroy: () => poller.destroy() };
}

/** Changes the text only when it differs, so live regions announce changes, not every poll. */
function setText(element, text) {
  if (element.textContent !== text) {
    element.textContent = text;
  }
}
