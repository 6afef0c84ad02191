package dev.sluice.functions.media;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;

/**
 * Progress of a long media job as a percentage of the input's duration: logged every 10 % (at most every few
 * seconds), and passed to any {@link Listener} registered with {@link #addListener}, e.g. by a server that
 * exposes it as a metrics gauge.
 */
public final class Progress {
    /** Receives progress updates; called on the invocation's thread, so keep it cheap. */
    public interface Listener {
        void progress(String function, String input, double percent);
    }

    private static final List<Listener> LISTENERS = new CopyOnWriteArrayList<>();
    private static final long MIN_LOG_INTERVAL_NANOS = 5_000_000_000L;
    private final Logger logger;
    private final String function;
    private final String input;
    private final double totalSeconds;
    private int lastLoggedStep = -1;
    private long lastLogNanos = System.nanoTime();
    private double lastPercent = -1;

    Progress(Logger logger, String function, String input, double totalSeconds) {
        this.logger = logger;
        this.function = function;
        this.input = input;
        this.totalSeconds = totalSeconds;
    }

    public static void addListener(Listener listener) {
        LISTENERS.add(listener);
    }

    public static void removeListener(Listener listener) {
        LISTENERS.remove(listener);
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
        for (Listener listener : LISTENERS) {
            listener.progress(function, input, percent);
        }
        int step = (int) (percent / 10);
        long now = System.nanoTime();
        if (step > lastLoggedStep && (now - lastLogNanos >= MIN_LOG_INTERVAL_NANOS || step == 10)) {
            lastLoggedStep = step;
            lastLogNanos = now;
            logger.info(String.format(Locale.ROOT, "%s %s: %.0f%% (%.1f s of %.1f s)", function, input, percent,
                    Math.min(seconds, totalSeconds), totalSeconds));
        }
    }

    void done() {
        at(totalSeconds);
    }
}
