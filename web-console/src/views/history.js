// History: QoE over the last hour, day or week, or a custom range, from GET /qoe/history
// (minute points up to two days, hourly beyond), optionally for one stream and/or site.
import * as api from '../api.js';
import { timeChart } from '../charts.js';
import { clearErrors, field, formAlert, h, showError } from '../dom.js';
import * as format from '../format.js';

export const title = 'History';

const HOUR = 3600_000;
const RANGES = { hour: HOUR, day: 24 * HOUR, week: 7 * 24 * HOUR };
/** Longer ranges are asked for in hourly points to keep the answer small. */
const MINUTE_STEP_LIMIT = 2 * 24 * HOUR;

export function render(container) {
  const range = h('select', {},
    h('option', { value: 'hour', text: 'Last hour' }),
    h('option', { value: 'day', text: 'Last 24 hours' }),
    h('option', { value: 'week', text: 'Last 7 days' }),
    h('option', { value: 'custom', text: 'Custom range' }));
  const from = h('input', { type: 'datetime-local' });
  const to = h('input', { type: 'datetime-local' });
  const stream = h('input', { type: 'text', placeholder: 'all streams', maxlength: '64' });
  const site = h('input', { type: 'text', placeholder: 'all sites', maxlength: '64' });
  const customFields = h('div', { class: 'inline-fields', hidden: true },
    field('From', from, { name: 'from' }), field('To', to, { name: 'to' }));
  const submit = h('button', { type: 'submit', text: 'Show' });
  const form = h('form', { class: 'toolbar', novalidate: true, 'aria-label': 'History range' },
    formAlert(),
    h('div', { class: 'inline-fields' },
      field('Range', range, { name: 'range' }),
      customFields,
      field('Stream', stream, { name: 'stream' }),
      field('Site', site, { name: 'site' }),
      h('div', { class: 'actions' }, submit)));
  const summary = h('p', { class: 'muted', role: 'status' });
  const chartGrid = h('div', { class: 'charts' });
  container.append(h('div', { class: 'page-head' }, h('h1', { text: 'History' })), form, summary, chartGrid);

  const charts = [
    timeChart(chartGrid, { title: 'Viewers', kind: 'count', series: [{ label: 'Viewers', fill: true }] }),
    timeChart(chartGrid, { title: 'Bitrate (bit/s): HTTP vs P2P', kind: 'bitrate', series: [{ label: 'HTTP', fill: true }, { label: 'P2P', fill: true }] }),
    timeChart(chartGrid, { title: 'Peer efficiency', kind: 'ratio', yRange: [0, 1], series: [{ label: 'Efficiency' }] }),
    timeChart(chartGrid, { title: 'Rebuffer ratio', kind: 'ratioFine', series: [{ label: 'Rebuffer ratio' }] }),
    timeChart(chartGrid, { title: 'Startup time', kind: 'millis', series: [{ label: 'p50' }, { label: 'p95' }] }),
  ];

  range.addEventListener('change', () => {
    customFields.hidden = range.value !== 'custom';
    if (range.value === 'custom' && !from.value) {
      to.value = localInput(new Date());
      from.value = localInput(new Date(Date.now() - RANGES.day));
    }
  });

  async function load() {
    clearErrors(form);
    let start;
    let end;
    if (range.value === 'custom') {
      start = new Date(from.value);
      end = new Date(to.value);
      if (!from.value || Number.isNaN(start.getTime())) {
        showError(form, { field: 'from', message: 'Choose a start date and time.' });
        return;
      }
      if (!to.value || Number.isNaN(end.getTime())) {
        showError(form, { field: 'to', message: 'Choose an end date and time.' });
        return;
      }
      if (end <= start) {
        showError(form, { field: 'to', message: 'The end must be after the start.' });
        return;
      }
    } else {
      end = new Date();
      start = new Date(end.getTime() - RANGES[range.value]);
    }
    const step = end - start > MINUTE_STEP_LIMIT ? 'hour' : 'minute';
    submit.disabled = true;
    summary.className = 'muted';
    summary.textContent = 'Loading…';
    try {
      const answer = await api.get(`/qoe/history${api.query({
        from: start.toISOString(), to: end.toISOString(), step, stream: stream.value.trim(), site: site.value.trim(),
      })}`);
      const points = answer?.points || [];
      const col = (key) => points.map((p) => (typeof p[key] === 'number' ? p[key] : null));
      const t = points.map((p) => Date.parse(p.t) / 1000);
      charts[0].setData([t, col('viewers')]);
      charts[1].setData([t, col('httpBps'), col('p2pBps')]);
      charts[2].setData([t, col('efficiency')]);
      charts[3].setData([t, col('rebufferRatio')]);
      charts[4].setData([t, col('startupP50Ms'), col('startupP95Ms')]);
      summary.textContent = points.length
        ? `${points.length} ${answer.step || step} points from ${format.dateTime(start)} to ${format.dateTime(end)}.`
        : `No QoE data between ${format.dateTime(start)} and ${format.dateTime(end)}.`;
    } catch (err) {
      charts.forEach((c, i) => c.setData(i === 1 || i === 4 ? [[], [], []] : [[], []]));
      // The endpoint answers 404 until the appliance serves QoE history: that is "no data", not a fault.
      if (err.status === 404) {
        summary.className = 'empty';
        summary.textContent = `No QoE history yet (${err.message}).`;
      } else {
        summary.textContent = '';
        showError(form, err);
      }
    } finally {
      submit.disabled = false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  load();
  return () => charts.forEach((c) => c.destroy());
}

/** A Date as the value of a datetime-local input (local time, minutes). */
function localInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
