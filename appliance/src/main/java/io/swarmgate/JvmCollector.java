package io.swarmgate;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The garbage collector the JVM runs the appliance with, named once at start. On a machine with
 * one CPU (or under 1,792 MB) the JVM picks the Serial collector unless told otherwise; its young
 * collections stop every thread, and with 20,000 connected viewers each stop lasts 130–200 ms, so
 * every viewer joining meanwhile waits for it (docs/benchmarks.md, "Signaling"). The packaged
 * service asks for G1 with a short pause goal; an appliance started another way gets a warning
 * that says so.
 */
final class JvmCollector {

    private static final Logger LOG = LoggerFactory.getLogger(JvmCollector.class);

    /** The options the packaged service (systemd/swarmgate.service) runs the appliance with. */
    static final String RECOMMENDED = "-XX:+UseG1GC -XX:MaxGCPauseMillis=10";

    private JvmCollector() {
    }

    /** Logs the collector in use, and a warning when it stops everything for every collection. */
    static void report() {
        List<String> names = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList();
        long maxHeapMib = Runtime.getRuntime().maxMemory() >> 20;
        LOG.info("jvm - collector {}, heap up to {} MiB, {} CPUs", names, maxHeapMib,
                Runtime.getRuntime().availableProcessors());
        warning(names).ifPresent(LOG::warn);
    }

    /**
     * The warning for a JVM running with these collectors (their management bean names), or empty
     * when the collector keeps its pauses short.
     */
    static Optional<String> warning(List<String> collectorNames) {
        String stopTheWorld = null;
        for (String name : collectorNames) {
            if (name.equals("Copy") || name.equals("MarkSweepCompact")) {
                stopTheWorld = "Serial";
            } else if (name.startsWith("PS ")) {
                stopTheWorld = "Parallel";
            }
        }
        if (stopTheWorld == null) {
            return Optional.empty();
        }
        return Optional.of("jvm - the " + stopTheWorld + " collector stops every thread for each collection,"
                + " so viewers joining during one wait for it (over 100 ms with thousands of viewers connected);"
                + " start the appliance with " + RECOMMENDED + " in SWARMGATE_JAVA_OPTS, as the packaged service does");
    }
}
