// How much CPU each Chromium page used, and optionally where its script time went.
//
// A page's renderer process runs the player, the SDK and the page's own script on its main
// thread, and media, WebRTC and compositing on others; on a machine whose cores are shared by
// many pages, CPU one page uses is CPU the others' start-up waits for. Chromium's DevTools
// Performance domain, enabled with `threadTicks`, counts the main thread's tasks
// (TaskDuration) and the script inside them (ScriptDuration) in thread CPU time, not wall time,
// so a loaded machine does not inflate them, and reports the renderer process's CPU time
// (ProcessTime). The fleet enables it when a page's navigation commits and reads it at the end
// of the run: each figure over the page's own time in the run is the share of one core it used,
// comparable between an SDK run and its HTTP-only baseline.
//
// With a profile directory the V8 sampling profiler also runs on every page (sampling every
// 500 µs), and page-<index>.cpuprofile is written there: open it in Chromium's DevTools
// (Performance panel, "Load profile"). Profiles sample wall time on the thread, so on a loaded
// machine whatever runs when the thread is descheduled is over-represented; the shares are the
// figures to compare. Firefox pages are not measured (no DevTools protocol here).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './measure.mjs';

/** V8 sampling profiler interval (µs): fine enough for functions that run a millisecond. */
const PROFILE_INTERVAL_US = 500;

/**
 * Starts measuring `viewer.page` (a Playwright Chromium page) whose navigation has committed.
 * @param {{page: object, context: object, index: number}} viewer
 * @param {{profileDir?: string|null, now?: () => number}} [options]
 * @returns {Promise<{finish: () => Promise<object|null>}>} finish() stops and returns
 *   {@link shares} (+ `profile`, the file written) or null when the page could not be read
 *   (closed, crashed)
 */
export async function watchPageCpu(viewer, { profileDir = null, now = () => Date.now() } = {}) {
  const cdp = await viewer.context.newCDPSession(viewer.page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const read = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return (name) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
  };
  // Task and script durations count from enable; the process's CPU time from its start.
  const processMs0 = (await read())('ProcessTime');
  if (profileDir) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
    await cdp.send('Profiler.start');
  }
  const since = now();
  return {
    async finish() {
      try {
        const value = await read();
        const result = shares({
          taskMs: value('TaskDuration'), scriptMs: value('ScriptDuration'), processMs: value('ProcessTime') - processMs0, measuredMs: now() - since,
        });
        if (profileDir) {
          const { profile } = await cdp.send('Profiler.stop');
          result.profile = join(profileDir, `page-${viewer.index}.cpuprofile`);
          writeFileSync(result.profile, JSON.stringify(profile));
        }
        return result;
      } catch {
        return null;
      } finally {
        await cdp.detach().catch(() => {});
      }
    },
  };
}

/** The per-page figures from the CPU times (ms) and the time they were measured over. */
export function shares({ taskMs, scriptMs, processMs, measuredMs }) {
  const share = (ms) => (measuredMs > 0 ? round(ms / measuredMs, 3) : null);
  return {
    main_thread_cpu: share(taskMs),
    script_cpu: share(scriptMs),
    renderer_cpu: share(processMs),
    main_thread_ms: Math.round(taskMs),
    script_ms: Math.round(scriptMs),
    renderer_ms: Math.round(processMs),
    measured_ms: Math.round(measuredMs),
  };
}

/**
 * Mean of the pages' shares, or null when no page was measured.
 * @param {Array<object|null>} pageFigures each page's {@link shares}, null when not measured
 * @param {'main_thread_cpu'|'script_cpu'|'renderer_cpu'} key
 */
export function meanShare(pageFigures, key) {
  const values = pageFigures.filter((f) => f && Number.isFinite(f[key])).map((f) => f[key]);
  return values.length ? round(values.reduce((a, b) => a + b, 0) / values.length, 3) : null;
}
