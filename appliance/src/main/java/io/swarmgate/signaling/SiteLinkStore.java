package io.swarmgate.signaling;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the sites' remembered link figures ({@link SiteThroughput#rememberedBySite}) in the
 * {@code site_link} table, so that a restart does not forget a branch office's thin link and, in a
 * cluster, an appliance knows what the others measured for the same site:
 * <ul>
 * <li>at start ({@link #load}), before viewers are let in, each stored figure of the last
 *     {@link SiteThroughput#REMEMBER_MS} is taken as one remembered report of its site;</li>
 * <li>every {@link #WRITE_EVERY}, the figure of each site that changed since it was last written
 *     (at most {@link #MAX_WRITES} a pass, the sites in turn), and all of them when the appliance
 *     stops ({@link #close});</li>
 * <li>in cluster mode, every pick-up interval, the rows the other appliances wrote since the last
 *     pass.</li>
 * </ul>
 * A stored figure is taken only when it is newer than every report its site holds
 * ({@link SiteThroughput#remember}), so the same row read twice, or a figure that went to another
 * appliance and came back in that one's row, counts once. A row that cannot be a figure (kbps not
 * positive, measured in the future, a site the site map does not place viewers in) is skipped with
 * a WARN naming the site.
 *
 * <p>Threads: the database work runs on this class's {@code site-links} timer thread (the start's
 * read on the starting thread, the last write on the stopping one); the I/O and mesh threads keep
 * reading and adding to the remembered reports in memory and never wait for it. The fields below
 * belong to whichever of these runs, one at a time.
 */
public final class SiteLinkStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SiteLinkStore.class);

    /** How often changed figures are written. */
    static final Duration WRITE_EVERY = Duration.ofMinutes(1);
    /** Sites written at most per pass; the others wait for the next passes, in turn. */
    static final int MAX_WRITES = 500;
    /** How far before the previous pick-up each pick-up reads again: late commits, clocks a little apart. */
    static final long OVERLAP_MS = 30_000;
    /** How far ahead of this appliance's clock a stored figure may have been measured (another appliance's clock). */
    static final long MAX_AHEAD_MS = 60_000;

    private final SiteThroughput throughput;
    private final SiteLinkRepository repository;
    private final Predicate<String> knownSite;
    private final Clock clock;
    /** What this appliance last wrote (or read at start) per site: a site is written again when its figure differs. */
    private final Map<String, SiteLink> written = new HashMap<>();
    /** The rows a pick-up read, with their write time, until they fall out of the pick-up's window. */
    private final Map<SiteLinkRepository.Key, Long> seen = new HashMap<>();
    /** The last site written by a pass that could not write them all; the next pass starts after it. */
    private String resumeAfter = "";
    private long readSince;
    private String node;
    private ScheduledExecutorService timer;
    private boolean pickingUp;
    private int ticksPerWrite;
    private int ticks;
    private boolean failing;

    SiteLinkStore(SiteThroughput throughput, SiteLinkRepository repository, Predicate<String> knownSite, Clock clock) {
        this.throughput = throughput;
        this.repository = repository;
        this.knownSite = knownSite;
        this.clock = clock;
    }

    /**
     * Takes the stored figures into {@code signaling}'s remembered ones; call before viewers are let
     * in. Never throws: an appliance that cannot read them starts without them.
     *
     * @param knownSite whether the site map places viewers in a site now (stored figures of other sites are skipped)
     */
    public static SiteLinkStore load(SignalingService signaling, SiteLinkRepository repository,
                                     Predicate<String> knownSite, Clock clock) {
        SiteLinkStore store = new SiteLinkStore(signaling.httpThroughput(), repository, knownSite, clock);
        try {
            store.loadStored();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("site links - cannot read the stored link figures; starting without them: {}", e.getMessage());
        }
        return store;
    }

    void loadStored() throws SQLException {
        long now = clock.millis();
        List<SiteLinkRepository.Row> rows = repository.measuredSince(now - SiteThroughput.REMEMBER_MS);
        int taken = 0;
        for (SiteLinkRepository.Row row : rows) {
            if (take(row, now)) {
                taken++;
            }
        }
        written.putAll(throughput.rememberedBySite(now));
        readSince = now - OVERLAP_MS;
        rows.stream().filter(r -> r.writtenAt() >= readSince).forEach(r -> seen.put(r.key(), r.writtenAt()));
        if (!rows.isEmpty()) {
            LOG.info("site links - remembered {} stored link figure(s) of {} site(s)", taken, written.size());
        }
    }

    /**
     * Starts writing as {@code node} (this appliance's name in the cluster) every
     * {@link #WRITE_EVERY} and, when {@code pickUpEvery} is not null (a shared database), picking up
     * the other appliances' figures at that interval.
     */
    public SiteLinkStore start(String node, Duration pickUpEvery) {
        this.node = node;
        this.pickingUp = pickUpEvery != null;
        Duration tick = pickingUp ? pickUpEvery : WRITE_EVERY;
        this.ticksPerWrite = (int) Math.max(1, WRITE_EVERY.toMillis() / tick.toMillis());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> SignalingService.daemon(r, "site-links"));
        timer.scheduleWithFixedDelay(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One pass: pick up the others' figures, and write ours when it is time. Never throws: the next pass retries. */
    private void tick() {
        try {
            long now = clock.millis();
            if (pickingUp) {
                pickUp(now);
            }
            if (++ticks >= ticksPerWrite) {
                ticks = 0;
                write(now, MAX_WRITES);
            }
            if (failing) {
                LOG.info("site links - the database answers again");
                failing = false;
            }
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                LOG.warn("site links - cannot store or read the link figures: {}", e.getMessage());
                failing = true;
            }
        }
    }

    /** Takes the rows the other appliances wrote since the last pick-up (less the overlap). */
    void pickUp(long now) throws SQLException {
        long since = readSince;
        List<SiteLinkRepository.Row> rows = repository.writtenSince(since, node);
        readSince = Math.max(since, now - OVERLAP_MS);
        for (SiteLinkRepository.Row row : rows) {
            Long before = seen.put(row.key(), row.writtenAt());
            if (before == null || before.longValue() != row.writtenAt()) {
                take(row, now);
            }
        }
        // The next pick-up reads from readSince: rows written earlier are not read again.
        seen.values().removeIf(writtenAt -> writtenAt < readSince);
    }

    /**
     * Writes the remembered figures that changed since this appliance last wrote them, at most
     * {@code limit} sites, continuing after the last site written when a pass could not write them
     * all; then deletes a chunk of rows too old to be remembered.
     */
    void write(long now, int limit) throws SQLException {
        TreeMap<String, SiteLink> current = new TreeMap<>(throughput.rememberedBySite(now));
        written.keySet().retainAll(current.keySet());
        Map<String, SiteLink> changed = new LinkedHashMap<>();
        for (NavigableMap<String, SiteLink> part : List.of(current.tailMap(resumeAfter, false),
                current.headMap(resumeAfter, true))) {
            for (Map.Entry<String, SiteLink> e : part.entrySet()) {
                if (changed.size() < limit && !e.getValue().equals(written.get(e.getKey()))) {
                    changed.put(e.getKey(), e.getValue());
                }
            }
        }
        repository.write(node, changed, now);
        written.putAll(changed);
        resumeAfter = changed.size() < limit ? "" : changed.keySet().stream().reduce((a, b) -> b).orElse("");
        repository.deleteMeasuredBefore(now - SiteThroughput.REMEMBER_MS);
    }

    /** Takes one stored row into its site's remembered reports unless it cannot be a figure. */
    private boolean take(SiteLinkRepository.Row row, long now) {
        String problem = problem(row, now);
        if (problem != null) {
            LOG.warn("{} - stored link figure ignored: {} (written by {})", row.site(), problem, row.node());
            return false;
        }
        return throughput.remember(row.site(), row.kbps(), row.measuredAt(), now);
    }

    /** Why {@code row} cannot be its site's figure at {@code now}, or null when it can. */
    String problem(SiteLinkRepository.Row row, long now) {
        if (row.kbps() <= 0) {
            return row.kbps() + " kbit/s is not a throughput";
        }
        if (row.measuredAt() > now + MAX_AHEAD_MS) {
            return "measured at " + Instant.ofEpochMilli(row.measuredAt()) + ", in the future";
        }
        if (!knownSite.test(row.site())) {
            return "the site map places no viewer in this site";
        }
        return null;
    }

    /** Stops the timer, then writes every figure that changed: nothing measured is lost to a clean stop. */
    @Override
    public void close() {
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        try {
            if (timer.awaitTermination(5, TimeUnit.SECONDS)) {
                write(clock.millis(), Integer.MAX_VALUE);
            } else {
                LOG.warn("site links - the last pass did not end in 5 s; the link figures are not stored at the stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("site links - cannot store the link figures at the stop: {}", e.getMessage());
        }
    }
}
