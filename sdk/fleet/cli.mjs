// The fleet's command line (scripts/fleet): options, help, one run or --compare-http pairs, and
// the JSON line. docs/benchmarks.md ("Fleet") explains every option and output field.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BROWSER_CHOICES } from './browser.mjs';
import { UsageError, figures, fleetUnavailableReason, playerFormat, runFleet } from './fleet.mjs';
import { pairOrder, poolRuns } from './pool.mjs';
import { destroyAllTopologies, maxSites } from './topology.mjs';

const USAGE = 'usage: scripts/fleet --viewers N --sites K --duration S [--stream live|vod] [--http-only | --compare-http]\n' +
  '                     [--player hlsjs|dashjs|shaka|videojs] [--format hls|dash] [--browser chromium|firefox|mixed]\n' +
  '                     [--wan-rate RATE] [--subnets-per-site N] [--browser-default-mdns] [--no-stun] [--cached-hls-js] [--tls]\n' +
  '                     [--renditions 1|2 [--abr]] [--stagger-ms MS] [--repeat N] [--pages] [--report FILE] [--profile DIR]';

const HELP = `${USAGE}

Real headless browser viewers (Chromium, Firefox or both) in network namespaces play the
appliance's demo stream; the last stdout line is one JSON object (fields: docs/benchmarks.md, "Fleet"). Needs root.

  --viewers N             pages in all (required), spread round-robin over sites and subnets
  --sites K               sites, each behind its own WAN link to the router (default 1)
  --duration S            seconds to run after the last viewer joined (required)
  --stream live|vod       the demo stream to play (default live)
  --player hlsjs|dashjs|shaka|videojs  the demo page's player (default hlsjs)
  --format hls|dash       what the player plays (default: hls for hls.js and Video.js, dash for dash.js and Shaka)
  --http-only             baseline: the same pages with the SDK turned off
  --compare-http          run the SDK fleet, then the --http-only fleet with the same options;
                          prints one line {"sdk":{...},"http":{...}}
  --repeat N              with --compare-http: N pairs of runs, the order alternating (SDK first,
                          then HTTP-only first, ...); "sdk" and "http" then pool the pairs
                          (start-up quantiles over every page of every run, stalls summed,
                          offload and latency the runs' mean) and "pairs" holds each run's figures
  --browser B             chromium (default), firefox (Debian's firefox-esr over WebDriver BiDi) or
                          mixed (Chromium and Firefox alternate inside each site)
  --wan-rate RATE         shape each site's WAN link to RATE in both directions (tbf), e.g.
                          2.5mbit, 2500kbit, 2.5m, 2500k (k = kbit/s, m = mbit/s); traffic
                          inside a site is not shaped. Default: unshaped
  --subnets-per-site N    each site is N routed subnets (one bridge and one Chromium each),
                          mapped to one site in the appliance's site map (default 1)
  --browser-default-mdns  keep the browser's default mDNS (<uuid>.local) host candidates, as on an
                          employee's desktop (default: real addresses)
  --no-stun               the appliance runs without its STUN responder (stun.enabled = false):
                          viewers get no ICE server, mDNS viewers share only on their own subnet
  --cached-hls-js         the page's hls.min.js (624 KB) comes from the fleet, as from a browser
                          cache, instead of over the WAN link once per viewer (Chromium only)
  --tls                   pages, SDK and signaling over the appliance's HTTPS port, as deployed
                          (HTTP/2 where the appliance offers it); every viewer's browser
                          trusts the appliance's CA in an NSS store (certutil, from
                          libnss3-tools) and checks its certificate fully.
                          Default: its plain-HTTP port
  --renditions 1|2        2: the live HLS stream with two renditions (320x180 and 192x108, the demo's
                          abr.m3u8), the pages' hls.js pinned to them two by two (pages 1-2 the
                          lower, 3-4 the higher, ...), so the site's first two viewers, its leaders,
                          play the same one (hls.js only)
  --abr                   with --renditions 2: pin no page, each page's hls.js picks its
                          rendition itself
  --stagger-ms MS         time between two joins (default 1000)
  --pages                 print each page's details (start-up phases included) on stderr
  --report FILE           write the figures and every page's details to FILE as JSON
  --profile DIR           also write each Chromium page's JavaScript CPU profile to
                          DIR/page-<index>.cpuprofile (with --compare-http: DIR/sdk, DIR/http);
                          open one in Chromium DevTools' Performance panel
  -h, --help              this help`;

/** A WAN rate as kbit/s: '2.5mbit', '2500kbit', '2.5m', '2500k', '1gbit'; throws UsageError. */
export function parseRate(text) {
  const match = /^(\d+(?:\.\d+)?)\s*(k|kbit|m|mbit|g|gbit)$/i.exec(String(text).trim());
  if (!match) {
    throw new UsageError(`--wan-rate must be a number with a unit (k/kbit = kbit/s, m/mbit = Mbit/s, g/gbit), e.g. 2.5mbit, got '${text}'`);
  }
  const unit = match[2].toLowerCase()[0];
  const kbit = Math.round(Number(match[1]) * { k: 1, m: 1000, g: 1_000_000 }[unit]);
  if (kbit < 8 || kbit > 10_000_000) {
    throw new UsageError(`--wan-rate must be between 8kbit and 10gbit, got '${text}'`);
  }
  return kbit;
}

export function parseArgs(argv) {
  const options = {
    sites: 1, stream: 'live', player: 'hlsjs', format: undefined, browser: 'chromium', httpOnly: false, staggerMs: 1000, showPages: false,
    wanRateKbit: null, subnetsPerSite: 1, browserDefaultMdns: false, stun: true, cachedHlsJs: false, compareHttp: false, repeat: 1,
    report: null, profileDir: null, renditions: 1, abr: false, tls: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) {
        throw new UsageError(`${arg} needs a value`);
      }
      i += 1;
      return argv[i];
    };
    const integer = (name) => {
      const text = value();
      if (!/^\d+$/.test(text)) {
        throw new UsageError(`${name} must be a whole number, got '${text}'`);
      }
      return Number(text);
    };
    switch (arg) {
      case '--viewers': options.viewers = integer('--viewers'); break;
      case '--sites': options.sites = integer('--sites'); break;
      case '--duration': options.duration = integer('--duration'); break;
      case '--stagger-ms': options.staggerMs = integer('--stagger-ms'); break;
      case '--stream': options.stream = value(); break;
      case '--browser': options.browser = value(); break;
      case '--player': options.player = value(); break;
      case '--format': options.format = value(); break;
      case '--http-only': options.httpOnly = true; break;
      case '--compare-http': options.compareHttp = true; break;
      case '--wan-rate': options.wanRateKbit = parseRate(value()); break;
      case '--subnets-per-site': options.subnetsPerSite = integer('--subnets-per-site'); break;
      case '--browser-default-mdns': options.browserDefaultMdns = true; break;
      case '--no-stun': options.stun = false; break;
      case '--cached-hls-js': options.cachedHlsJs = true; break;
      case '--tls': options.tls = true; break;
      case '--renditions': options.renditions = integer('--renditions'); break;
      case '--abr': options.abr = true; break;
      case '--repeat': options.repeat = integer('--repeat'); break;
      case '--pages': options.showPages = true; break;
      case '--report': options.report = value(); break;
      case '--profile': options.profileDir = value(); break;
      case '-h': case '--help': throw new UsageError('');
      default: throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  if (!options.viewers || options.viewers < 1) throw new UsageError('--viewers N (N ≥ 1) is required');
  if (!options.duration || options.duration < 1) throw new UsageError('--duration S (S ≥ 1) is required');
  if (options.sites < 1 || options.sites > options.viewers) throw new UsageError('--sites must be between 1 and --viewers');
  if (options.subnetsPerSite < 1 || options.subnetsPerSite > 64) throw new UsageError('--subnets-per-site must be between 1 and 64');
  if (options.sites > maxSites(options.subnetsPerSite)) {
    throw new UsageError(`--sites must be at most ${maxSites(options.subnetsPerSite)} with --subnets-per-site ${options.subnetsPerSite}`);
  }
  if (options.stream !== 'live' && options.stream !== 'vod') throw new UsageError(`--stream must be live or vod, got '${options.stream}'`);
  if (!BROWSER_CHOICES.includes(options.browser)) throw new UsageError(`--browser must be one of ${BROWSER_CHOICES.join(', ')}, got '${options.browser}'`);
  if (options.cachedHlsJs && options.browser !== 'chromium') throw new UsageError('--cached-hls-js works with --browser chromium only (it routes requests)');
  options.format = playerFormat(options.player, options.format);
  if (options.renditions !== 1 && !(options.renditions === 2 && options.stream === 'live' && options.player === 'hlsjs'
    && options.format === 'hls')) {
    throw new UsageError(`--renditions must be 1, or 2 with the live stream on hls.js (default player and format), got ${options.renditions}`);
  }
  if (options.abr && options.renditions !== 2) throw new UsageError('--abr lets hls.js choose between two renditions: it needs --renditions 2');
  if (options.httpOnly && options.compareHttp) throw new UsageError('--compare-http already runs the --http-only fleet: give one of them');
  if (options.repeat < 1 || options.repeat > 20) throw new UsageError('--repeat must be between 1 and 20');
  if (options.repeat > 1 && !options.compareHttp) throw new UsageError('--repeat pools pairs of runs: it needs --compare-http');
  return options;
}

export { UsageError };

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      if (error.message) {
        process.stderr.write(`fleet: ${error.message}\n${USAGE}\n`);
      } else {
        process.stdout.write(`${HELP}\n`);
      }
      process.exit(error.message ? 2 : 0);
    }
    throw error;
  }
  const reason = fleetUnavailableReason(options.browser);
  if (reason) {
    process.stderr.write(`fleet: ${reason}\n`);
    process.exit(2);
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`fleet: ${error.stack || error}\n`);
    destroyAllTopologies();
    process.exit(1);
  });
  const { showPages, report, compareHttp, repeat, ...fleetOptions } = options;
  const runOne = async (httpOnly, pair = 0) => {
    let profileDir = fleetOptions.profileDir;
    if (profileDir) {
      profileDir = compareHttp ? join(profileDir, ...(repeat > 1 ? [`pair-${pair + 1}`] : []), httpOnly ? 'http' : 'sdk') : profileDir;
      mkdirSync(profileDir, { recursive: true });
    }
    const result = await runFleet({ ...fleetOptions, profileDir, httpOnly });
    if (showPages) {
      for (const page of result.pages) {
        process.stderr.write(`fleet: page ${JSON.stringify(page)}\n`);
      }
    }
    return result;
  };
  try {
    let line;
    let detail;
    if (compareHttp && repeat > 1) {
      const pairs = [];
      for (let i = 0; i < repeat; i += 1) {
        const pair = {};
        for (const httpOnly of pairOrder(i)) {
          const side = httpOnly ? 'http' : 'sdk';
          process.stderr.write(`fleet: pair ${i + 1} of ${repeat}, the ${httpOnly ? '--http-only' : 'SDK'} run\n`);
          pair[side] = await runOne(httpOnly, i);
          process.stderr.write(`fleet: pair ${i + 1} ${side}: ${JSON.stringify(figures(pair[side]))}\n`);
        }
        pairs.push(pair);
      }
      const sides = (side) => pairs.map((p) => p[side]);
      line = {
        sdk: poolRuns(sides('sdk')),
        http: poolRuns(sides('http')),
        pairs: pairs.map((p) => ({ sdk: figures(p.sdk), http: figures(p.http) })),
      };
      detail = { sdk: line.sdk, http: line.http, pairs };
    } else if (compareHttp) {
      // One after the other, never at once: two fleets would share the machine's two cores.
      const sdk = await runOne(false);
      // Kept on stderr too, so a failure of the second run does not lose the first.
      process.stderr.write(`fleet: SDK run: ${JSON.stringify(figures(sdk))}\n`);
      process.stderr.write('fleet: now the --http-only run with the same options\n');
      const http = await runOne(true);
      line = { sdk: figures(sdk), http: figures(http) };
      detail = { sdk, http };
    } else {
      const result = await runOne(options.httpOnly);
      line = figures(result);
      detail = result;
    }
    if (report) {
      writeFileSync(report, `${JSON.stringify(detail, null, 2)}\n`);
      process.stderr.write(`fleet: report written to ${report}\n`);
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
    process.exit(0);
  } catch (error) {
    process.stderr.write(`fleet: ${error.stack || error}\n`);
    destroyAllTopologies();
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main();
}
