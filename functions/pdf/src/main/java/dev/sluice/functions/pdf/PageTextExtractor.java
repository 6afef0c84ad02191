package dev.sluice.functions.pdf;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.regex.Pattern;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.documentinterchange.markedcontent.PDMarkedContent;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;

/**
 * Extracts text page by page in one pass over the document, handing each selected page to a sink as soon as it
 * is done, so a long document is never held in memory as one string. Pages without content streams are
 * reported too (as empty), and a page whose content cannot be parsed is reported with its error instead of
 * failing the whole document.
 *
 * <p>Text drawn twice at the same place (a common way to fake bold) is kept once, as PDFBox does by default, but
 * with a hashed grid instead of PDFBox's sorted maps, which cost four fifths of the extraction time on long pages.
 */
final class PageTextExtractor extends PDFTextStripper {

    /** Text of one page. {@code characters} counts non-whitespace characters; {@code error} is null if read fine. */
    record PageText(int number, String text, int characters, String error) {
        /** False for a page with no extractable text at all, such as a scanned page that needs OCR. */
        boolean hasTextLayer() {
            return characters > 0;
        }
    }

    /** Whether text is ordered by its position on the page or by the order the page draws it. */
    enum Sort {
        /** Drawing order, which follows the author's reading order in most PDFs; by position on rotated pages. */
        AUTO,
        ALWAYS,
        NEVER
    }

    @FunctionalInterface
    interface PageSink {
        void accept(PageText page) throws IOException;
    }

    /** A hyphen (or soft hyphen) ending a line between two lower-case letters. */
    private static final Pattern LINE_END_HYPHEN = Pattern.compile("(?<=\\p{Ll})[-\u00ad]\n(?=\\p{Ll})");

    private final PageSelection selection;
    private final Runnable beforeEachPage;
    private final PageSink sink;
    private final Sort sort;
    private final boolean dehyphenate;
    private final StringWriter buffer = new StringWriter();
    private final OverlapFilter overlaps = new OverlapFilter();
    private final Deque<Boolean> markedContentHasActualText = new ArrayDeque<>();
    private boolean inActualText;
    private int lastReported;

    /**
     * @param beforeEachPage called before each selected page, e.g. to check the invocation deadline
     */
    PageTextExtractor(PageSelection selection, Runnable beforeEachPage, PageSink sink) {
        this(selection, Sort.AUTO, false, beforeEachPage, sink);
    }

    /**
     * @param dehyphenate join words broken across lines with a hyphen ("exam-" + "ple" becomes "example")
     */
    PageTextExtractor(PageSelection selection, Sort sort, boolean dehyphenate, Runnable beforeEachPage,
                      PageSink sink) {
        this.selection = selection;
        this.beforeEachPage = beforeEachPage;
        this.sink = sink;
        this.sort = sort;
        this.dehyphenate = dehyphenate;
        setSuppressDuplicateOverlappingText(false); // done by OverlapFilter instead
        setLineSeparator("\n");
        setPageEnd("");
    }

    /** Extracts every selected page of {@code document}, in order. */
    void extract(PDDocument document) throws IOException {
        lastReported = 0;
        writeText(document, buffer);
        reportEmptyPagesUpTo(document.getNumberOfPages());
    }

    @Override
    public void processPage(PDPage page) throws IOException {
        int number = getCurrentPageNo();
        if (!selection.contains(number)) {
            return;
        }
        reportEmptyPagesUpTo(number - 1);
        beforeEachPage.run();
        buffer.getBuffer().setLength(0);
        overlaps.clear();
        setSortByPosition(sort == Sort.ALWAYS || sort == Sort.AUTO && page.getRotation() % 360 != 0);
        String error = null;
        try {
            super.processPage(page);
        } catch (IOException | RuntimeException e) {
            // Lenient: keep the pages that can be read; the caller decides whether too little was.
            error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        report(number, buffer.toString(), error);
        buffer.getBuffer().setLength(0);
    }

    /** Pages without a content stream never reach {@link #processPage}; report them as empty. */
    private void reportEmptyPagesUpTo(int number) throws IOException {
        for (int page = lastReported + 1; page <= number; page++) {
            if (selection.contains(page)) {
                beforeEachPage.run();
                report(page, "", null);
            }
        }
        lastReported = Math.max(lastReported, number);
    }

    @Override
    protected void processTextPosition(TextPosition text) {
        // Like PDFBox, keep every glyph of an /ActualText span: its replacement text rides on the first one.
        if (inActualText || !overlaps.isDuplicate(text)) {
            super.processTextPosition(text);
        }
    }

    @Override
    public void beginMarkedContentSequence(COSName tag, COSDictionary properties) {
        boolean hasActualText = PDMarkedContent.create(tag, properties).getActualText() != null;
        markedContentHasActualText.push(hasActualText);
        inActualText = hasActualText; // mirrors PDFTextStripper, which tracks only the innermost sequence
        super.beginMarkedContentSequence(tag, properties);
    }

    @Override
    public void endMarkedContentSequence() {
        if (!markedContentHasActualText.isEmpty() && markedContentHasActualText.pop()) {
            inActualText = false;
        }
        super.endMarkedContentSequence();
    }

    private void report(int number, String text, String error) throws IOException {
        if (dehyphenate) {
            text = LINE_END_HYPHEN.matcher(text).replaceAll("");
        }
        sink.accept(new PageText(number, text, countVisible(text), error));
        lastReported = number;
    }

    static int countVisible(String text) {
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isWhitespace(text.charAt(i)) && !Character.isSpaceChar(text.charAt(i))) {
                count++;
            }
        }
        return count;
    }

    /**
     * Remembers where each character was drawn on the current page and says whether the same character was
     * already drawn at (about) the same place: within a third of its width, the tolerance PDFBox uses. A hash
     * grid of 4-point cells finds the neighbours with one to four look-ups, in primitive arrays because this
     * runs for every glyph.
     */
    static final class OverlapFilter {
        private static final float CELL = 4f;
        private static final int MAX_CELLS = 4;
        // open-addressing table: cell key -> 1 + index of the newest glyph drawn in that cell (0 = empty)
        private long[] keys = new long[1024];
        private int[] heads = new int[1024];
        private int used;
        // glyphs, chained per cell through 'next' (-1 ends a chain)
        private String[] chars = new String[512];
        private float[] xs = new float[512];
        private float[] ys = new float[512];
        private int[] next = new int[512];
        private int count;

        void clear() {
            if (used > 0) {
                Arrays.fill(heads, 0);
                Arrays.fill(chars, 0, count, null);
            }
            used = 0;
            count = 0;
        }

        boolean isDuplicate(TextPosition text) {
            String unicode = text.getUnicode();
            float x = text.getX();
            float y = text.getY();
            if (unicode == null || unicode.isEmpty() || !Float.isFinite(x) || !Float.isFinite(y)) {
                return false;
            }
            float tolerance = text.getWidth() / unicode.length() / 3.0f;
            if (tolerance > 0 && Float.isFinite(tolerance)) {
                int x0 = cell(x - tolerance);
                int x1 = Math.min(cell(x + tolerance), x0 + MAX_CELLS);
                int y0 = cell(y - tolerance);
                int y1 = Math.min(cell(y + tolerance), y0 + MAX_CELLS);
                for (int cx = x0; cx <= x1; cx++) {
                    for (int cy = y0; cy <= y1; cy++) {
                        int slot = slot(key(unicode, cx, cy));
                        for (int g = heads[slot] - 1; g >= 0; g = next[g]) {
                            if (Math.abs(xs[g] - x) < tolerance && Math.abs(ys[g] - y) < tolerance
                                    && unicode.equals(chars[g])) {
                                return true;
                            }
                        }
                    }
                }
            }
            add(key(unicode, cell(x), cell(y)), unicode, x, y);
            return false;
        }

        /** The slot holding {@code key}, or the empty slot where it would go. */
        private int slot(long key) {
            int mask = keys.length - 1;
            int slot = (int) key & mask;
            while (heads[slot] != 0 && keys[slot] != key) {
                slot = (slot + 1) & mask;
            }
            return slot;
        }

        private void add(long key, String unicode, float x, float y) {
            if (count == chars.length) {
                int size = count * 2;
                chars = Arrays.copyOf(chars, size);
                xs = Arrays.copyOf(xs, size);
                ys = Arrays.copyOf(ys, size);
                next = Arrays.copyOf(next, size);
            }
            int glyph = count++;
            chars[glyph] = unicode;
            xs[glyph] = x;
            ys[glyph] = y;
            int slot = slot(key);
            if (heads[slot] == 0) {
                keys[slot] = key;
                used++;
            }
            next[glyph] = heads[slot] - 1;
            heads[slot] = glyph + 1;
            if (used * 2 > keys.length) {
                grow();
            }
        }

        private void grow() {
            long[] oldKeys = keys;
            int[] oldHeads = heads;
            keys = new long[oldKeys.length * 2];
            heads = new int[oldKeys.length * 2];
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldHeads[i] != 0) {
                    int slot = slot(oldKeys[i]);
                    keys[slot] = oldKeys[i];
                    heads[slot] = oldHeads[i];
                }
            }
        }

        private static int cell(float coordinate) {
            return (int) Math.floor(Math.max(-1e7f, Math.min(1e7f, coordinate)) / CELL);
        }

        /** Mixes character and cell into one well-spread key; a rare clash only costs a comparison. */
        private static long key(String unicode, int cx, int cy) {
            long h = unicode.hashCode();
            h = h * 0x9E3779B97F4A7C15L + cx;
            h = h * 0x9E3779B97F4A7C15L + cy;
            h ^= h >>> 31;
            h *= 0xBF58476D1CE4E5B9L;
            return h ^ (h >>> 29);
        }
    }
}
