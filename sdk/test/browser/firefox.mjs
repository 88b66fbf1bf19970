// How test Firefoxes are launched on these machines: Debian's firefox-esr, headless, driven over
// WebDriver BiDi by puppeteer-core (it never downloads a browser: puppeteer-core has no download
// step and is always given the executable). Playwright cannot drive a stock Firefox. No imports:
// sdk/fleet/firefox.mjs launches with these options inside a viewer namespace.
//
// The prefs are Firefox's equivalent of the Chromium flags in rig.mjs: WebRTC on a LAN without a
// prompt and with real host addresses (Chromium: --disable-features=WebRtcHideLocalIpsWithMdns),
// autoplay without a gesture, and no connection of its own to any outside host (updates,
// telemetry, captive-portal and connectivity checks, safe browsing, remote settings, push, DoH,
// region and add-on services). puppeteer-core writes its own automation prefs into the profile
// (@puppeteer/browsers, browser-data/firefox.js, many of the same kind); these come on top and win.
// What Firefox still tried was found with a capture on a fleet gateway (docs/benchmarks.md, Fleet).
export const firefoxPath = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/** A URL that cannot be fetched: services that must stay silent point here. */
const NOWHERE = 'data:,';

/**
 * Firefox prefs for a test viewer.
 * @param {object} [options]
 * @param {boolean} [options.hideLocalIps=false] keep Firefox's default of mDNS (`<uuid>.local`)
 *   host candidates, as on an employee's desktop
 */
export function firefoxPrefs({ hideLocalIps = false } = {}) {
  return {
    // WebRTC: host candidates with real addresses on every interface, no prompt, no STUN.
    'media.peerconnection.ice.obfuscate_host_addresses': hideLocalIps,
    'media.peerconnection.ice.default_address_only': false,
    'media.peerconnection.ice.no_host': false,
    'media.peerconnection.ice.proxy_only_if_behind_proxy': false,
    'media.peerconnection.default_iceservers': '[]',
    'media.navigator.permission.disabled': true,
    // Autoplay without a user gesture (Chromium: --autoplay-policy=no-user-gesture-required).
    'media.autoplay.default': 0,
    'media.autoplay.blocking_policy': 0,
    // H.264 comes from the system's libavcodec; never fetch OpenH264 or other media plugins.
    'media.gmp-manager.url': NOWHERE,
    'media.gmp-gmpopenh264.enabled': false,
    'media.gmp-gmpopenh264.autoupdate': false,
    // Updates of the browser, add-ons and system add-ons.
    'app.update.enabled': false,
    'app.update.auto': false,
    'extensions.update.enabled': false,
    'extensions.systemAddon.update.enabled': false,
    'extensions.systemAddon.update.url': NOWHERE,
    'extensions.blocklist.enabled': false,
    'extensions.getAddons.showPane': false,
    // Telemetry, studies, experiments, health reports.
    'toolkit.telemetry.enabled': false,
    'toolkit.telemetry.unified': false,
    'toolkit.telemetry.archive.enabled': false,
    'toolkit.telemetry.server': NOWHERE,
    'toolkit.coverage.endpoint.base': NOWHERE,
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'app.normandy.enabled': false,
    'app.shield.optoutstudies.enabled': false,
    'messaging-system.rsexperimentloader.enabled': false,
    'browser.ping-centre.telemetry': false,
    'browser.newtabpage.activity-stream.telemetry': false,
    'browser.newtabpage.activity-stream.feeds.telemetry': false,
    // Captive-portal and connectivity probes.
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    // Safe browsing lists.
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'browser.safebrowsing.downloads.enabled': false,
    'browser.safebrowsing.downloads.remote.enabled': false,
    'browser.safebrowsing.blockedURIs.enabled': false,
    'browser.safebrowsing.update.enabled': false,
    'browser.safebrowsing.provider.google4.updateURL': NOWHERE,
    'browser.safebrowsing.provider.google.updateURL': NOWHERE,
    'browser.safebrowsing.provider.mozilla.updateURL': NOWHERE,
    // Remote settings and the certificate lists that come through it.
    'services.settings.server': NOWHERE,
    'security.remote_settings.crlite_filters.enabled': false,
    'security.remote_settings.intermediates.enabled': false,
    'security.OCSP.enabled': 0,
    // Push, DNS over HTTPS, region and location lookups, prefetching, speculative connections.
    'dom.push.enabled': false,
    'dom.push.connection.enabled': false,
    'dom.push.serverURL': NOWHERE,
    'network.trr.mode': 5,
    'browser.region.network.url': NOWHERE,
    'browser.region.update.enabled': false,
    'geo.provider.network.url': NOWHERE,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'network.predictor.enabled': false,
    'network.http.speculative-parallel-limit': 0,
    // New-tab content, sponsored tiles, translations and local models.
    'browser.newtabpage.activity-stream.feeds.system.topstories': false,
    'browser.newtabpage.activity-stream.feeds.section.topstories': false,
    'browser.newtabpage.activity-stream.showSponsoredTopSites': false,
    'browser.topsites.contile.enabled': false,
    'browser.translations.enable': false,
    'browser.ml.enable': false,
    'identity.fxaccounts.enabled': false,
    'browser.discovery.enabled': false,
  };
}

/**
 * puppeteer.launch() options for firefox-esr.
 * @param {object} [options]
 * @param {string} [options.executablePath] what to start (a wrapper that enters a namespace, say)
 * @param {boolean} [options.hideLocalIps=false]
 * @param {object} [options.env] environment of the browser process
 */
export function firefoxLaunchOptions({ executablePath = firefoxPath, hideLocalIps = false, env = process.env } = {}) {
  return {
    browser: 'firefox',
    executablePath,
    headless: true,
    extraPrefsFirefox: firefoxPrefs({ hideLocalIps }),
    // The fleet installs its own signal handlers and tears everything down itself.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    // Release builds ignore services.settings.server (remote settings would still look up
    // firefox.settings.services.mozilla.com, as a capture of the fleet showed) unless this is set.
    env: { ...env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
  };
}
