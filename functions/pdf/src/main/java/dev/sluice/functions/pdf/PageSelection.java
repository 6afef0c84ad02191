package dev.sluice.functions.pdf;

import dev.sluice.core.BadInputException;
import dev.sluice.core.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which pages a function works on, written as {@code all}, {@code 1}, {@code 1-3}, {@code 5-} (to the end) or a
 * comma-separated mix such as {@code 1,3,5-7}. Page numbers start at 1.
 *
 * @param ranges inclusive {first, last} pairs; {@code last} is {@link Integer#MAX_VALUE} for "to the end"
 */
record PageSelection(List<int[]> ranges) {
    static final String SYNTAX = "all, a page such as 1, a range such as 1-3 or 5- (to the end), "
            + "or a comma-separated list such as 1,3,5-7";

    static final PageSelection ALL = new PageSelection(List.of(new int[] {1, Integer.MAX_VALUE}));

    PageSelection {
        ranges = List.copyOf(ranges);
    }

    /** Parses a selection; a malformed one is a configuration error that names the parameter. */
    static PageSelection parse(String parameter, String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (value.isEmpty() || value.equals("all")) {
            return ALL;
        }
        List<int[]> ranges = new ArrayList<>();
        for (String part : value.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-');
                int first;
                int last;
                if (dash < 0) {
                    first = Integer.parseInt(p);
                    last = first;
                } else {
                    first = Integer.parseInt(p.substring(0, dash).trim());
                    String end = p.substring(dash + 1).trim();
                    last = end.isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(end);
                }
                if (first < 1 || last < first) {
                    throw new NumberFormatException();
                }
                ranges.add(new int[] {first, last});
            } catch (NumberFormatException e) {
                throw new ConfigException("Parameter '" + parameter + "' has value '" + text + "'; use " + SYNTAX + ".");
            }
        }
        return new PageSelection(ranges);
    }

    boolean contains(int page) {
        for (int[] range : ranges) {
            if (page >= range[0] && page <= range[1]) {
                return true;
            }
        }
        return false;
    }

    /** The selected pages that exist in a document of {@code pageCount} pages, in document order. */
    List<Integer> pagesIn(int pageCount) {
        List<Integer> pages = new ArrayList<>();
        for (int page = 1; page <= pageCount; page++) {
            if (contains(page)) {
                pages.add(page);
            }
        }
        return pages;
    }

    /** The selected ranges clipped to a document, in the order written; ranges wholly past the end are dropped. */
    List<int[]> rangesIn(int pageCount) {
        List<int[]> clipped = new ArrayList<>();
        for (int[] range : ranges) {
            if (range[0] <= pageCount) {
                clipped.add(new int[] {range[0], Math.min(range[1], pageCount)});
            }
        }
        return clipped;
    }

    /** Like {@link #pagesIn}, but a selection that names no existing page is an error about the input. */
    List<Integer> requirePagesIn(int pageCount, String parameter, String documentName) {
        List<Integer> pages = pagesIn(pageCount);
        if (pages.isEmpty()) {
            throw new BadInputException(documentName + " has " + pageCount + " page(s); " + parameter + "="
                    + this + " selects none of them.");
        }
        return pages;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (int[] range : ranges) {
            parts.add(range[0] == range[1] ? String.valueOf(range[0])
                    : range[0] + "-" + (range[1] == Integer.MAX_VALUE ? "" : String.valueOf(range[1])));
        }
        return String.join(",", parts);
    }
}
