// The appliances of one fleet run (runFleet): one appliance serving the demo stream itself, one
// with the stream's origin apart behind one address (originApart), or two clustered appliances on
// PostgreSQL behind HAProxy (cluster.mjs), and the rig runFleet hands to its callers.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  APART_APPLIANCE_PORTS, APART_ORIGIN_PORTS, HTTP_PORT, HTTPS_PORT, applianceRig, configureSiteMap, startAppliance, startSplitOrigin,
} from './appliance-rig.mjs';
import { startCluster } from './cluster.mjs';
import { javaTrustingEnv } from './tls.mjs';

/**
 * Starts the run's appliances and returns {rig, accessLog, stop(options)}: the rig of
 * runFleet's `onAppliance` (appliance-rig.mjs, plus `restart` and `endRun`), the access log
 * whose segment fetches are the origin's, and a stop for whatever runs at the end.
 * @param {object} topology the run's topology
 * @param {object} options
 * @param {string} options.workDir the run's directory
 * @param {string} options.dataDir the single appliance's data directory
 * @param {number} options.sites
 * @param {boolean} options.originApart
 * @param {boolean} options.cluster
 * @param {boolean} options.tls (with cluster: HAProxy on TLS is the ingress)
 * @param {boolean} options.stun
 * @param {number} options.subnetsPerSite more than 1: the site map names each site's subnets
 * @param {(m: string) => void} options.log
 * @param {(inMs: number) => void} options.endRun what rig.endRun(inMs) asks of the run
 */
export async function startRunAppliances(topology, { workDir, dataDir, sites, originApart, cluster, tls, stun, subnetsPerSite, log, endRun }) {
  let accessLog = join(dataDir, 'log', 'access.log');
  // With the origin apart the appliance is configured as behind an ingress: it trusts the
  // split-origin address (127.0.0.1) as a proxy, and the page and the segments are at the
  // ingress's address, which it must allow as an intranet page and as a media origin.
  // A cluster on TLS: HAProxy itself is the ingress, on HTTPS_PORT.
  const ingress = Array.from({ length: sites }, (_, i) => (tls
    ? `https://${topology.routerAddress(i + 1)}:${HTTPS_PORT}` : `http://${topology.routerAddress(i + 1)}:${HTTP_PORT}`)).join(',');
  const routerAddresses = Array.from({ length: sites }, (_, i) => topology.routerAddress(i + 1));
  // The split origin on TLS shows browsers the appliance's own certificate, which names the
  // addresses the sites open; the appliance fetches what it hashes through it, so it trusts its CA.
  const apartTls = originApart && tls && !cluster
    ? javaTrustingEnv(dataDir, join(workDir, 'appliance-trust.p12'), routerAddresses) : {};
  const applianceOptions = originApart || cluster
    ? {
      httpPort: APART_APPLIANCE_PORTS.http,
      httpsPort: APART_APPLIANCE_PORTS.https,
      env: {
        SWARMGATE_SIGNALING_TRUSTED_PROXIES: '127.0.0.1/32', SWARMGATE_SECURITY_INTRANET_ORIGINS: ingress, SWARMGATE_SECURITY_MEDIA_ORIGINS: ingress,
        ...apartTls,
      },
    }
    // With tls the certificate names the addresses the sites open (the viewers' browsers check it
    // fully and compare them with the URL).
    : (tls ? { env: { SWARMGATE_SERVER_HOSTNAMES: routerAddresses.join(',') } } : {});
  let appliance;
  let clustered = null;
  if (cluster) {
    clustered = await startCluster(topology, {
      workDir, log, stun, env: applianceOptions.env, startAppliance: (options) => startAppliance(topology, { log, ...options }),
      tls: tls ? {
        port: HTTPS_PORT, originPort: APART_ORIGIN_PORTS.http,
        addresses: routerAddresses,
      } : null,
    });
    appliance = { stop: (options) => clustered.stop(options) };
  } else {
    appliance = await startAppliance(topology, { dataDir, log, stun, ...applianceOptions });
  }
  const rigDataDir = clustered ? clustered.appliances[0].dataDir : dataDir;
  if (originApart || cluster) {
    const pki = join(dataDir, 'pki');
    const { originDataDir } = await startSplitOrigin(topology, {
      workDir, log, appliancePort: clustered?.port, proxy: !(cluster && tls),
      tls: tls && !cluster ? { keyFile: join(pki, 'server.key'), certFile: join(pki, 'server.crt'), caFile: join(pki, 'ca.crt') } : null,
    });
    accessLog = join(originDataDir, 'log', 'access.log');
  }
  if (subnetsPerSite > 1) {
    await configureSiteMap(topology, { dataDir: rigDataDir, log });
  }
  // Stops the appliance and starts it again on the same data directory and ports, as an
  // operator's restart (SIGTERM: the drain path) or a crash (SIGKILL) would.
  const restart = async ({ signal = 'SIGTERM' } = {}) => {
    if (clustered) {
      throw new Error('restart() is for a single appliance; a cluster fleet stops its appliances with rig.cluster.appliances[i].kill()');
    }
    const applianceLog = join(dataDir, 'log', 'swarmgate.log');
    const logFrom = existsSync(applianceLog) ? statSync(applianceLog).size : 0;
    const stopMs = await appliance.stop({ signal });
    const downAt = Date.now();
    log(`appliance stopped with ${signal} in ${stopMs} ms; starting it again on the same data directory and ports`);
    appliance = await startAppliance(topology, { dataDir, log, stun, readyPath: '/readyz', ...applianceOptions });
    // What the appliance logged (with timestamps) from the stop to /readyz answering 200.
    const logged = existsSync(applianceLog) ? readFileSync(applianceLog).subarray(logFrom).toString('utf8') : '';
    return { stopMs, startMs: appliance.startMs, downAt, upAt: Date.now(), log: logged };
  };
  const rig = {
    ...applianceRig(topology, rigDataDir, restart, clustered), ...(clustered ? { httpsPort: null } : {}),
    endRun(inMs = 0) {
      endRun(inMs);
    },
  };
  return {
    rig,
    accessLog,
    /** Stops whatever runs now (a restarted appliance is the new one). */
    stop: (options) => appliance.stop(options),
  };
}
