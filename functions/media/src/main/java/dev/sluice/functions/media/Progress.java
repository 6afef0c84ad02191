package dev.sluice.functions.media;

import dev.sluice.core.function.Invocation;
import java.util.Locale;

/**
 * Progress of a long media job as a fraction of the input's duration: reported to the invocation (which the server
 * shows as the {@code sluice.invocation.progress} gauge and turns into broker heartbeats) and logged every 10 % (at
 * most every few seconds).
 */
final class Progress {
    private static final long MIN_LOG_INTERVAL_NANOS = 5_000_000_000L;
    private final Invocation invocation;
    private final String function;
    private final double totalSeconds;
    private int lastLoggedStep = -1;
    private long lastLogNanos = System.nanoTime();
    private double lastPercent = -1;

    Progress(Invocation invocation, String function, double totalSeconds) {
        this.invocation = invocation;
        this.function = function;
        this.totalSeconds = totalSeconds;
    }

    /** Reports that everything up to {@code seconds} of the input has been processed. */
    void at(double seconds) {
        if (!(totalSeconds > 0) || Double.isNaN(seconds)) {
            return;
        }
        double percent = Math.max(0, Math.min(100, 100 * seconds / totalSeconds));
        if (percent - lastPercent < 1 && percent < 100) {
            return;
        }
        lastPercent = percent;
        invocation.progress(percent / 100);
        int step = (int) (percent / 10);
        long now = System.nanoTime();
        if (step > lastLoggedStep && (now - lastLogNanos >= MIN_LOG_INTERVAL_NANOS || step == 10)) {
            lastLoggedStep = step;
            lastLogNanos = now;
            invocation.logger().info(String.format(Locale.ROOT, "%s %s: %.0f%% (%.1f s of %.1f s)", function,
                    invocation.input().key(), percent, Math.min(seconds, totalSeconds), totalSeconds));
        }
    }

    void done() {
        at(totalSeconds);
    }
}
