package io.swarmgate.loadgen;

import java.io.PrintStream;

/**
 * The once-a-second progress line on stderr: joined/target, errors, and the message rate over
 * the last interval. Called from one timer thread (and once more at the end).
 */
final class ProgressLine {

    private final PrintStream out;
    private final RunStats stats;
    private final int target;
    private final long started = System.nanoTime();
    private long lastNanos = started;
    private long lastMessages;

    ProgressLine(PrintStream out, RunStats stats, int target) {
        this.out = out;
        this.stats = stats;
        this.target = target;
    }

    synchronized void print() {
        long now = System.nanoTime();
        long messages = stats.messages();
        double seconds = (now - lastNanos) / 1e9;
        long rate = seconds > 0 ? Math.round((messages - lastMessages) / seconds) : 0;
        lastNanos = now;
        lastMessages = messages;
        out.printf("loadgen: %5.1fs joined %d/%d open %d errors %d msgs/s %d%n", (now - started) / 1e9,
                stats.welcomed.get(), target, stats.open.get(), stats.errors(), rate);
        out.flush();
    }
}
