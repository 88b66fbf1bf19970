// uPlot time-series charts for the dashboard and the history page. Each chart sizes itself to
// its container (ResizeObserver) and is fed whole columns with setData(); the caller decides
// when (the dashboard does it once per animation frame).
import uPlot from 'uplot';
import * as format from './format.js';

const HEIGHT = 190;

/** Axis/legend formatting per kind of value. */
const KINDS = {
  count: (v) => format.count(v),
  bitrate: (v) => format.bitrate(v),
  ratio: (v) => format.percent(v, 0),
  ratioFine: (v) => format.percent(v, 2),
  millis: (v) => format.millis(v),
};

const COLOURS = ['#2364aa', '#e07a1f', '#3a9d5d', '#a23b72', '#6c757d'];

/**
 * @param {HTMLElement} container
 * @param {{title: string, kind: keyof KINDS, series: {label: string, fill?: boolean}[],
 *   yRange?: [number, number]}} spec
 * @returns {{setData(data: number[][]): void, destroy(): void, element: HTMLElement}}
 */
export function timeChart(container, spec) {
  const fmt = KINDS[spec.kind];
  const holder = document.createElement('figure');
  holder.className = 'chart';
  const caption = document.createElement('figcaption');
  caption.textContent = spec.title;
  holder.append(caption);
  container.append(holder);
  const opts = {
    width: Math.max(300, holder.clientWidth || 560),
    height: HEIGHT,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: {
      x: { time: true },
      y: spec.yRange ? { range: () => spec.yRange } : { range: (u, min, max) => [0, Math.max(1, max * 1.1)] },
    },
    axes: [
      { stroke: '#4a5561', grid: { stroke: '#e3e7eb' } },
      { stroke: '#4a5561', grid: { stroke: '#e3e7eb' }, size: 70, values: (u, ticks) => ticks.map(fmt) },
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
    const width = Math.floor(holder.clientWidth);
    if (width > 0 && width !== plot.width) {
      plot.setSize({ width, height: HEIGHT });
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
