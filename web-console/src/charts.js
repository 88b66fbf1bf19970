// uPlot time-series charts for the dashboard and the history page. Each chart sizes itself to
// its container (ResizeObserver) and is fed whole columns with setData(); the caller decides
// when (the dashboard does it once per animation frame).
import uPlot from 'uplot';
import * as format from './format.js';

/** Plot height in CSS pixels; the dashboard passes a smaller one to keep its tables in view. */
const HEIGHT = 190;

/**
 * Per kind of value: axis/legend formatting, the smallest top of the y axis (so an empty or
 * flat chart still has a sensible scale) and tick steps (whole viewers only).
 */
const KINDS = {
  count: { format: (v) => format.count(v), floor: 5, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000] },
  bitrate: { format: (v) => format.bitrate(v), tick: compactBitrate, floor: 1e6 },
  ratio: { format: (v) => format.percent(v, 0), floor: 1 },
  ratioFine: { format: (v) => format.percent(v, 1), floor: 0.05 },
  millis: { format: (v) => format.millis(v), floor: 1000 },
};

const COLOURS = ['#2364aa', '#e07a1f', '#3a9d5d', '#a23b72', '#6c757d'];

/**
 * @param {HTMLElement} container
 * @param {{title: string, kind: keyof KINDS, series: {label: string, fill?: boolean}[],
 *   yRange?: [number, number], height?: number, liveLegend?: boolean}} spec
 * @returns {{setData(data: number[][]): void, destroy(): void, element: HTMLElement}}
 */
export function timeChart(container, spec) {
  const kind = KINDS[spec.kind];
  const fmt = kind.format;
  const holder = document.createElement('figure');
  holder.className = 'chart';
  const caption = document.createElement('figcaption');
  caption.textContent = spec.title;
  holder.append(caption);
  container.append(holder);
  const height = spec.height || HEIGHT;
  const opts = {
    width: innerWidth(holder) || 560,
    height,
    cursor: { drag: { x: false, y: false } },
    // A live legend (values under the cursor) needs room; small charts show the series names only.
    legend: { live: spec.liveLegend !== false },
    scales: {
      x: { time: true },
      y: spec.yRange ? { range: () => spec.yRange } : { range: (u, min, max) => [0, Math.max(kind.floor, (max ?? 0) * 1.1)] },
    },
    axes: [
      { stroke: '#4a5561', grid: { stroke: '#e3e7eb' } },
      { stroke: '#4a5561', grid: { stroke: '#e3e7eb' }, size: 60, incrs: kind.incrs, values: (u, ticks) => ticks.map(kind.tick || fmt) },
    ],
    series: [
      {},
      ...spec.series.map((s, i) => ({
        label: s.label,
        stroke: COLOURS[i % COLOURS.length],
        width: 2,
        fill: s.fill ? `${COLOURS[i % COLOURS.length]}22` : undefined,
        value: (u, v) => fmt(v),
        spanGaps: false,
      })),
    ],
  };
  const empty = [[], ...spec.series.map(() => [])];
  const plot = new uPlot(opts, empty, holder);
  const observer = new ResizeObserver(() => {
    const width = innerWidth(holder);
    if (width > 0 && width !== plot.width) {
      plot.setSize({ width, height });
    }
  });
  observer.observe(holder);
  return {
    element: holder,
    setData(data) {
      plot.setData(data);
    },
    destroy() {
      observer.disconnect();
      plot.destroy();
      holder.remove();
    },
  };
}

/** The content width of `el` (without its padding), at least 150 px once laid out. */
function innerWidth(el) {
  if (!el.clientWidth) {
    return 0;
  }
  const style = getComputedStyle(el);
  return Math.max(150, Math.floor(el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)));
}

/** Axis ticks in bit/s, short enough for a narrow axis: 500k, 1.5M, 2G. */
function compactBitrate(v) {
  if (v === null || v === undefined) {
    return '';
  }
  for (const [size, suffix] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']]) {
    if (Math.abs(v) >= size) {
      return `${+(v / size).toFixed(1)}${suffix}`;
    }
  }
  return String(v);
}
