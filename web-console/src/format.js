// How numbers read in the console: "–" for missing values, SI bitrates, percentages, dates.

const DASH = '–';

const missing = (v) => v === null || v === undefined || Number.isNaN(v);

export function count(v) {
  return missing(v) ? DASH : Math.round(v).toLocaleString('en');
}

/** 0..1 → "87.5 %". */
export function percent(v, digits = 1) {
  return missing(v) ? DASH : `${(v * 100).toFixed(digits)} %`;
}

/** A value with SI prefixes: 12345 with ['B', 'kB', …] → "12.3 kB". */
function si(v, units) {
  if (missing(v)) {
    return DASH;
  }
  let value = v;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Bits per second → "12.3 Mbit/s". */
export function bitrate(v) {
  return si(v, ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s']);
}

/** Bytes → "12.3 MB". */
export function bytes(v) {
  return si(v, ['B', 'kB', 'MB', 'GB', 'TB']);
}

export function millis(v) {
  if (missing(v)) {
    return DASH;
  }
  return v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)} s` : `${Math.round(v)} ms`;
}

/** ISO instant → local "2026-11-22 14:03". */
export function dateTime(iso) {
  if (!iso) {
    return DASH;
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return String(iso);
  }
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** An age in milliseconds → "now", "4 s ago", "3 min ago", "2 h ago". */
export function ago(ms) {
  if (missing(ms)) {
    return DASH;
  }
  const s = Math.max(0, ms) / 1000;
  if (s < 1) {
    return 'now';
  }
  if (s < 90) {
    return `${Math.floor(s)} s ago`;
  }
  return s < 90 * 60 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}
