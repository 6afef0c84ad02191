package dev.sluice.core.pipeline;

import dev.sluice.core.event.EventType;
import dev.sluice.core.event.ObjectEvent;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which events a pipeline takes. Every given criterion must hold; an empty list or {@code null} means "any".
 *
 * @param bucket       exact bucket name, or {@code null} for any bucket
 * @param prefix       key prefix
 * @param suffixes     key suffixes, compared case-insensitively ({@code .jpg} matches {@code A.JPG})
 * @param glob         key glob: {@code *} within a segment, {@code **} across segments, {@code ?} one character
 * @param contentTypes MIME types; {@code image/*} matches any image type
 * @param events       event types, {@code created} by default
 */
public record Match(String bucket, String prefix, List<String> suffixes, String glob, List<String> contentTypes,
                    Set<EventType> events) {

    public Match {
        prefix = prefix == null ? "" : prefix;
        suffixes = suffixes == null ? List.of() : List.copyOf(suffixes);
        contentTypes = contentTypes == null ? List.of() : List.copyOf(contentTypes);
        events = events == null || events.isEmpty() ? Set.of(EventType.CREATED) : Set.copyOf(events);
    }

    public boolean matches(ObjectEvent event) {
        return matchesLocation(event) && matchesContentType(event.contentType());
    }

    /** Everything but the content type, which notifications often omit: decides whether a lookup is worth it. */
    public boolean matchesLocation(ObjectEvent event) {
        return (bucket == null || bucket.equals(event.bucket()))
                && event.key().startsWith(prefix)
                && events.contains(event.eventType())
                && matchesSuffix(event.key())
                && (glob == null || globPattern(glob).matcher(event.key()).matches());
    }

    private boolean matchesSuffix(String key) {
        if (suffixes.isEmpty()) {
            return true;
        }
        String lower = key.toLowerCase(Locale.ROOT);
        return suffixes.stream().anyMatch(s -> lower.endsWith(s.toLowerCase(Locale.ROOT)));
    }

    private boolean matchesContentType(String contentType) {
        if (contentTypes.isEmpty()) {
            return true;
        }
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        int semicolon = type.indexOf(';');
        String bare = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
        for (String wanted : contentTypes) {
            String w = wanted.toLowerCase(Locale.ROOT).trim();
            if (w.equals(bare) || w.equals("*/*") || (w.endsWith("/*") && bare.startsWith(w.substring(0, w.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    /** Compiled globs; a config has few, and matching runs for every event. */
    private static final Map<String, Pattern> GLOBS = new ConcurrentHashMap<>();

    static Pattern globPattern(String glob) {
        return GLOBS.computeIfAbsent(glob, Match::compileGlob);
    }

    /** Translates a key glob into a regular expression. */
    private static Pattern compileGlob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                        i++;
                        regex.append("(?:.*/)?"); // "**/" also matches no directory at all
                    } else {
                        regex.append(".*");
                    }
                } else {
                    regex.append("[^/]*");
                }
            } else if (c == '?') {
                regex.append("[^/]");
            } else if (c == '{') {
                int close = glob.indexOf('}', i);
                if (close < 0) {
                    regex.append("\\{");
                } else {
                    String[] options = glob.substring(i + 1, close).split(",");
                    regex.append("(?:");
                    for (int j = 0; j < options.length; j++) {
                        regex.append(j > 0 ? "|" : "").append(Pattern.quote(options[j]));
                    }
                    regex.append(")");
                    i = close;
                }
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
