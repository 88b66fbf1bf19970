// Where the machine's CPU went during a fleet run, by kind of process: Chromium's renderers, its
// GPU and network-service processes and its browser process, Firefox, the appliance's JVM, the
// fleet's own node processes and everything else on the machine. A page's own figures
// (page-cpu.mjs) show what one renderer used; these show the whole budget, so that a start-up
// figure taken at a load of 15 on two cores can be read as the SDK's cost or as the machine's.
// Linux only: each process's user + system ticks from /proc/PID/stat, read once a second (a
// process that exits between two reads loses at most its last second).
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ: 100 on every Linux architecture the fleet runs on

/**
 * The kind of a process from its command line as /proc/PID/cmdline holds it: NUL-separated, or
 * one space-separated string for processes that rewrite their title (Chromium's zygote children).
 */
export function processKind(cmdline) {
  const args = cmdline.split(/[\0 ]/).filter(Boolean);
  const exe = args[0] ?? '';
  const type = args.find((a) => a.startsWith('--type='))?.slice('--type='.length);
  if (/chrom(e|ium)/.test(exe) || /headless_shell/.test(exe)) {
    if (!type) return 'chromium_browser';
    if (type === 'renderer') return 'chromium_renderer';
    if (type === 'gpu-process') return 'chromium_gpu';
    if (type === 'utility' && args.some((a) => a.includes('network.mojom.NetworkService'))) return 'chromium_network';
    return 'chromium_other';
  }
  if (/firefox/.test(exe)) return 'firefox';
  if (/(^|\/)java$/.test(exe)) return 'appliance';
  if (/(^|\/)node$/.test(exe) || exe === process.execPath) return 'fleet';
  return 'other';
}

/** user + system ticks of a process from the text of its /proc/PID/stat. */
export function statTicks(stat) {
  // The name in field 2 may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Starts sampling every process on the machine.
 * @param {{proc?: string, now?: () => number, intervalMs?: number}} [options]
 * @returns {{sample: () => void, stop: () => Record<string, number>}} stop() ends the window and
 *   returns the mean number of cores each kind used over it (and `total`), two decimals
 */
export function watchMachineCpu({ proc = '/proc', now = Date.now, intervalMs = 1000 } = {}) {
  /** pid → {kind, first, last}: ticks when first seen and at the latest read */
  const seen = new Map();
  const startedAt = now();
  let sampledOnce = false;
  const sample = () => {
    let pids;
    try {
      pids = readdirSync(proc).filter((name) => /^\d+$/.test(name));
    } catch {
      return;
    }
    for (const pid of pids) {
      try {
        const ticks = statTicks(readFileSync(`${proc}/${pid}/stat`, 'utf8'));
        const known = seen.get(pid);
        if (known) {
          known.last = ticks;
        } else {
          // A process started during the window counts from 0; one running before it from now.
          const kind = processKind(readFileSync(`${proc}/${pid}/cmdline`, 'utf8'));
          seen.set(pid, { kind, first: sampledOnce ? 0 : ticks, last: ticks });
        }
      } catch {
        // gone between the listing and the read
      }
    }
    sampledOnce = true;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref?.();
  let figures = null;
  return {
    sample,
    /** Ends the window (once: later calls return the same figures without reading /proc again). */
    stop() {
      if (figures) return figures;
      clearInterval(timer);
      sample();
      const seconds = Math.max(0.001, (now() - startedAt) / 1000);
      const cores = {};
      for (const { kind, first, last } of seen.values()) {
        cores[kind] = (cores[kind] ?? 0) + Math.max(0, last - first) / TICKS_PER_S / seconds;
      }
      const total = Object.values(cores).reduce((sum, v) => sum + v, 0);
      const rounded = Object.fromEntries(Object.entries(cores).sort((a, b) => b[1] - a[1])
        .map(([kind, v]) => [kind, Math.round(v * 100) / 100]));
      figures = { ...rounded, total: Math.round(total * 100) / 100 };
      return figures;
    },
  };
}
