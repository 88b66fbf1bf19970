package io.swarmgate.mesh;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Chooses neighbours for one stream. Called only from the coordinator's owning thread.
 *
 * <p>A peer is matched ("filled") when it joins, resumes, or loses a neighbour. Filling samples at
 * most {@link #sampleSize} peers from each pool it may draw from, instead of scanning the swarm:
 * <ul>
 *   <li>below its target degree, a peer samples its site's <em>sources</em> (uploaders below the
 *       cap), then those of the sites its policy groups with its own;</li>
 *   <li>an uploader also samples the <em>hungry</em> (anyone below the target degree) and adopts
 *       them up to the cap, so spare upload capacity that appears is handed to whoever lacks
 *       neighbours. Download-only and cellular viewers get neighbours only this way or by
 *       drawing from sources, which is why two non-uploaders are never paired.</li>
 * </ul>
 * A peer still short after that takes slots from saturated uploaders ({@link #rebalance}).
 * The sample is larger than the cap plus the target, so when a pool holds more peers than the
 * sample the filler always finds enough fresh candidates; when it holds fewer it sees all of them.
 * Hence after every operation: a peer below target has no eligible source, and no uploader with
 * spare slots has an eligible hungry peer (pairs blocked after a failure report excepted).
 */
final class Matchmaker {

    /** Downloaders prefer the strongest uploaders; among equals, those still short of neighbours. */
    private static Comparator<PeerState> downloaderOrder(int target) {
        return Comparator.comparingLong((PeerState c) -> c.info.uploadCapacityKbps()).reversed()
                .thenComparing(c -> c.degree() >= target)
                .thenComparingLong(c -> c.joinSeq);
    }

    /** Uploaders serve the hungry first, then prefer uploaders (who can serve them back). */
    private static Comparator<PeerState> uploaderOrder(int target) {
        return Comparator.comparing((PeerState c) -> c.degree() >= target)
                .thenComparing(c -> !c.uploader)
                .thenComparing(Comparator.comparingLong((PeerState c) -> c.info.uploadCapacityKbps()).reversed())
                .thenComparingLong(c -> c.joinSeq);
    }

    /**
     * Uploader neighbours every uploader keeps where the swarm allows: the segment a leader
     * fetches spreads only through uploaders, so an uploader whose neighbours all download only is
     * an island that must fetch every segment over the WAN itself. Without this, slot-taking
     * ({@link #rebalance}) by download-only joiners strips saturated uploaders of their uploader
     * links one by one: the 100,000-viewer simulation found site leaders with ten download-only
     * neighbours and half of a 2,000-viewer site falling back to HTTP (docs/scaling.md).
     */
    static int backbone(SwarmRules rules) {
        return Math.min(3, rules.targetDegree() / 2);
    }

    private final Map<String, SiteSwarm> sites;
    private final Map<String, PeerState> peers;
    private final SplittableRandom random;
    private final LongAdder inspections;

    Matchmaker(Map<String, SiteSwarm> sites, Map<String, PeerState> peers, SplittableRandom random,
               LongAdder inspections) {
        this.sites = sites;
        this.peers = peers;
        this.random = random;
        this.inspections = inspections;
    }

    static int sampleSize(SwarmRules rules) {
        return 2 * rules.maxNeighbours() + rules.targetDegree();
    }

    /** Neighbours {@code peer} is given: one while it probes ({@link PeerState#probing}), else the rules' target. */
    private static int targetOf(PeerState peer, SwarmRules rules) {
        return peer.probing() ? 1 : rules.targetDegree();
    }

    /** Neighbours {@code peer} may have at most: one while it probes, else the rules' cap. */
    private static int maxOf(PeerState peer, SwarmRules rules) {
        return peer.probing() ? 1 : rules.maxNeighbours();
    }

    /** Puts {@code peer} into exactly the pools its state calls for. */
    void refresh(PeerState peer, SwarmRules rules) {
        SiteSwarm site = sites.get(peer.site());
        if (site == null) {
            return;
        }
        boolean matchable = peer.matchable();
        site.sources.set(peer, matchable && peer.uploader && peer.degree() < maxOf(peer, rules));
        site.hungry.set(peer, matchable && peer.degree() < targetOf(peer, rules));
        site.saturated.set(peer, matchable && peer.uploader && !peer.probing() && peer.degree() >= rules.maxNeighbours());
    }

    /** Gives {@code peer} neighbours up to its target (uploaders: hungry peers up to the cap). */
    void fill(PeerState peer, SwarmRules rules, long now, List<Pairing> made, List<MeshEvent> out) {
        if (!peer.matchable() || !wantsMore(peer, rules)) {
            return;
        }
        List<SiteSwarm> pools = new ArrayList<>(2);
        SiteSwarm own = sites.get(peer.site());
        if (own != null) {
            pools.add(own);
        }
        // Other sites' swarms are for viewers that can reach across links; an mDNS-only one cannot.
        for (String partner : peer.info.link() == null ? rules.partnersOf(peer.site()) : java.util.Set.<String>of()) {
            SiteSwarm site = sites.get(partner);
            if (site != null) {
                pools.add(site);
            }
        }
        for (SiteSwarm site : pools) {
            if (!wantsMore(peer, rules)) {
                return;
            }
            fillFrom(site, peer, rules, now, made, out);
        }
        for (SiteSwarm site : pools) {
            if (peer.degree() >= targetOf(peer, rules)) {
                return;
            }
            rebalance(site, peer, rules, now, made, out);
        }
    }

    private static boolean wantsMore(PeerState peer, SwarmRules rules) {
        int degree = peer.degree();
        return degree < targetOf(peer, rules) || (peer.uploader && degree < maxOf(peer, rules));
    }

    private void fillFrom(SiteSwarm site, PeerState peer, SwarmRules rules, long now, List<Pairing> made,
                          List<MeshEvent> out) {
        int target = targetOf(peer, rules);
        int max = maxOf(peer, rules);
        int limit = sampleSize(rules);
        List<PeerState> candidates = new ArrayList<>();
        int inspected = 0;
        boolean backboneShort = peer.uploader && uploaderNeighbours(peer) < backbone(rules);
        if (peer.degree() < target || backboneShort) {
            inspected += site.sources.sample(limit, random, candidates);
        }
        if (peer.uploader) {
            inspected += site.hungry.sample(limit, random, candidates);
        }
        inspections.add(inspected);
        candidates.removeIf(c -> !eligible(peer, c, rules, now));
        Comparator<PeerState> order = peer.uploader ? uploaderOrder(rules.targetDegree()) : downloaderOrder(rules.targetDegree());
        if (backboneShort) {
            order = Comparator.comparing((PeerState c) -> !c.uploader).thenComparing(order);
        }
        candidates.sort(order);
        for (PeerState candidate : candidates) {
            if (peer.degree() >= max) {
                return;
            }
            boolean beyondTarget = peer.degree() >= target;
            boolean forBackbone = candidate.uploader && peer.uploader && uploaderNeighbours(peer) < backbone(rules);
            if (beyondTarget && !forBackbone && (!peer.uploader || candidate.degree() >= targetOf(candidate, rules))) {
                continue; // past its target an uploader only adopts the hungry (and its backbone)
            }
            // Re-check: a candidate sampled from both pools, or filled up meanwhile, is skipped.
            if (eligible(peer, candidate, rules, now)) {
                made.add(link(peer, candidate, rules, out));
            }
        }
    }

    /**
     * Last resort for a peer still below target when no uploader has a free slot (a saturated
     * swarm: joiners push existing uploaders up to the cap). It takes the slot of a saturated
     * uploader {@code u} from a neighbour {@code w} that keeps more than the target degree; an
     * uploader also takes {@code w} (an edge split, so neither {@code u} nor {@code w} loses
     * degree). Bounded: one sample of saturated uploaders, each scanning at most its cap.
     */
    private void rebalance(SiteSwarm site, PeerState peer, SwarmRules rules, long now, List<Pairing> made,
                           List<MeshEvent> out) {
        int target = targetOf(peer, rules);
        int max = rules.maxNeighbours();
        List<PeerState> saturated = new ArrayList<>();
        inspections.add(site.saturated.sample(sampleSize(rules), random, saturated));
        for (PeerState full : saturated) {
            if (peer.degree() >= target) {
                return;
            }
            if (full == peer || !full.matchable() || full.degree() < max || peer.hasNeighbour(full.id)
                    || peer.blocks(full.id, now) || full.blocks(peer.id, now)) {
                continue;
            }
            PeerState donor = donor(full, peer, rules.targetDegree(), rules);
            if (donor == null) {
                continue;
            }
            // Never an island: a download-only peer does not re-link the donor, so an uploader
            // donor's link to full is gone, and neither may lose its last uploader link.
            if (!peer.uploader && donor.uploader
                    && (uploaderNeighbours(full) <= 2 || uploaderNeighbours(donor) <= 2)) {
                continue;
            }
            unlink(full, donor, UnassignReason.REBALANCED, true, rules, out);
            made.add(link(peer, full, rules, out));
            if (peer.degree() < target && eligible(peer, donor, rules, now)) {
                made.add(link(peer, donor, rules, out));
            } else if (donor.uploader) {
                // The donor has a free slot now: it adopts a hungry peer (it stays at or above its
                // target, so this never rebalances again). Viewers the backbone rule left short
                // may be waiting.
                fill(donor, rules, now, new ArrayList<>(), out);
            }
        }
    }

    private int uploaderNeighbours(PeerState peer) {
        int count = 0;
        for (String id : peer.neighbours()) {
            PeerState neighbour = peers.get(id);
            if (neighbour != null && neighbour.uploader) {
                count++;
            }
        }
        return count;
    }

    /**
     * A neighbour of {@code full} that can spare the link: above target, not {@code peer} itself.
     * Preferred: one whose loss costs no uploader its {@link #backbone} (a download-only
     * {@code peer} does not re-link the donor, so an uploader donor's link to {@code full} is
     * simply gone); then the earliest joined, so the choice does not depend on the neighbour
     * set's per-JVM iteration order. When every donor costs a backbone link one is still taken
     * (a viewer with too few neighbours is worse than a thinner backbone), unless it is the last
     * one ({@link #rebalance}).
     */
    private PeerState donor(PeerState full, PeerState peer, int target, SwarmRules rules) {
        PeerState best = null;
        boolean bestHarms = true;
        for (String id : full.neighbours()) {
            PeerState neighbour = peers.get(id);
            if (neighbour == null || neighbour == peer || neighbour.degree() <= target) {
                continue;
            }
            boolean harms = !peer.uploader && neighbour.uploader
                    && (uploaderNeighbours(full) <= backbone(rules) || uploaderNeighbours(neighbour) <= backbone(rules));
            if (best == null || (bestHarms && !harms)
                    || (harms == bestHarms && neighbour.joinSeq < best.joinSeq)) {
                best = neighbour;
                bestHarms = harms;
            }
        }
        return best;
    }

    private static boolean eligible(PeerState peer, PeerState candidate, SwarmRules rules, long now) {
        return candidate != peer
                && candidate.matchable()
                && (peer.uploader || candidate.uploader)
                && peer.degree() < maxOf(peer, rules)
                && candidate.degree() < maxOf(candidate, rules)
                && !peer.hasNeighbour(candidate.id)
                && !peer.blocks(candidate.id, now)
                && !candidate.blocks(peer.id, now);
    }

    /** Pairs the two; the peer being filled offers. */
    Pairing link(PeerState offerer, PeerState answerer, SwarmRules rules, List<MeshEvent> out) {
        offerer.addNeighbour(answerer.id);
        answerer.addNeighbour(offerer.id);
        refresh(offerer, rules);
        refresh(answerer, rules);
        out.add(new MeshEvent.Assigned(offerer.id, answerer.id, true));
        out.add(new MeshEvent.Assigned(answerer.id, offerer.id, false));
        return new Pairing(offerer.id, answerer.id);
    }

    /** Separates the two; {@code other} is told only if {@code tellOther} (it may be leaving). */
    void unlink(PeerState peer, PeerState other, UnassignReason reason, boolean tellOther, SwarmRules rules,
                List<MeshEvent> out) {
        peer.removeNeighbour(other.id);
        other.removeNeighbour(peer.id);
        refresh(peer, rules);
        refresh(other, rules);
        out.add(new MeshEvent.Unassigned(peer.id, other.id, reason));
        if (tellOther) {
            out.add(new MeshEvent.Unassigned(other.id, peer.id, reason));
        }
    }
}
