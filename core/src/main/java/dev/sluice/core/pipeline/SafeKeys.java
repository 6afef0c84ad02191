package dev.sluice.core.pipeline;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes untrusted text (object keys, file names, function variables) safe to splice into output keys and
 * local paths. Object keys are hostile: {@code ..} segments, leading slashes, backslashes, percent-encoded
 * dots, control and bidi characters, and Unicode look-alikes that normalise to {@code /} or {@code .}.
 */
public final class SafeKeys {
    private SafeKeys() {
    }

    /** A path-like value ({@code dir}, {@code key}): keeps {@code /} between segments, drops unsafe segments. */
    public static String sanitizePath(String value) {
        String clean = cleanCharacters(value).replace('\\', '/');
        List<String> kept = new ArrayList<>();
        for (String segment : clean.split("/")) {
            if (!isUnsafeSegment(segment)) {
                kept.add(segment);
            }
        }
        return String.join("/", kept);
    }

    /** A single-segment value ({@code name}, {@code width}, ...): separators become {@code _}. */
    public static String sanitizeSegment(String value) {
        String clean = cleanCharacters(value).replace('\\', '_').replace('/', '_');
        if (clean.isEmpty() || !isUnsafeSegment(clean)) {
            return clean;
        }
        clean = clean.replace('%', '_');
        return isUnsafeSegment(clean) ? clean.replace('.', '_') : clean;
    }

    /**
     * True when a segment means "here" or "parent" to some consumer: {@code .}, {@code ..}, their
     * percent-encoded forms, or empty.
     */
    public static boolean isUnsafeSegment(String segment) {
        if (segment.isEmpty()) {
            return true;
        }
        String decoded = stripSpaces(percentDecode(segment));
        return decoded.equals(".") || decoded.equals("..") || decoded.contains("/") || decoded.contains("\\")
                || decoded.replace(".", "").isEmpty();
    }

    /**
     * NFKC folds look-alikes (fullwidth solidus, one-dot leader) into the characters they imitate, so the
     * segment checks see what a consumer would see; control and format characters (incl. bidi overrides)
     * and invisible line breaks (U+2028, U+2029) are removed.
     */
    static String cleanCharacters(String value) {
        String normalized = Normalizer.normalize(value == null ? "" : value, Normalizer.Form.NFKC);
        StringBuilder out = new StringBuilder(normalized.length());
        normalized.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (!Character.isISOControl(cp) && type != Character.FORMAT && type != Character.SURROGATE
                    && type != Character.UNASSIGNED && type != Character.PRIVATE_USE
                    && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR) {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    /** Like {@code trim()}, but also drops Unicode spaces (U+1680, ...) that many tools strip from names. */
    private static String stripSpaces(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && isSpace(value.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(start, end);
    }

    private static boolean isSpace(char c) {
        return c <= ' ' || Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    private static String percentDecode(String segment) {
        String current = segment;
        // Decode repeatedly: %252e%252e is ".." after two rounds.
        for (int i = 0; i < 3 && current.indexOf('%') >= 0; i++) {
            try {
                current = URLDecoder.decode(current.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return current;
            }
        }
        return Normalizer.normalize(current, Normalizer.Form.NFKC);
    }
}
