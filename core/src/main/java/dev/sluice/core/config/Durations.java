package dev.sluice.core.config;

import dev.sluice.core.ConfigException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h} or ISO-8601 {@code PT5M}. */
public final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private Durations() {
    }

    public static Duration parse(String text, String where) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIMPLE.matcher(value);
        Duration duration;
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                duration = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            } else {
                duration = Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
        } catch (RuntimeException e) { // malformed, or too large for a long
            throw new ConfigException(where + ": '" + text + "' is not a duration; write e.g. 500ms, 30s, 5m or 1h.");
        }
        if (duration.isNegative()) {
            throw new ConfigException(where + ": '" + text + "' is negative; write e.g. 500ms, 30s, 5m or 1h.");
        }
        return duration;
    }
}
