package dev.sluice.functions.pdf;

import dev.sluice.core.BadInputException;
import dev.sluice.core.LimitExceededException;
import dev.sluice.core.exec.TempFiles;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.io.RandomAccessStreamCache.StreamCacheCreateFunction;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;

/**
 * Opens the input of an invocation as a PDFBox document, the same way for every PDF function: read from the
 * local file (never the heap), new streams buffered in temp files, lenient parsing, the user password from the
 * {@code password} parameter, and the page limit checked before any page is touched.
 */
final class PdfDocuments {
    static final String PASSWORD = "password";
    static final String MAX_PAGES = "max-pages";
    static final int DEFAULT_MAX_PAGES = 10_000;

    static final ParameterSpec PASSWORD_SPEC = ParameterSpec.of(PASSWORD, ParameterType.STRING, null,
            "User password of an encrypted PDF; in a pipeline write ${PDF_PASSWORD} to take it from the environment. "
                    + "Not needed for PDFs that have only an owner (permissions) password.");
    static final ParameterSpec MAX_PAGES_SPEC = ParameterSpec.of(MAX_PAGES, ParameterType.INT,
            String.valueOf(DEFAULT_MAX_PAGES), "Refuse documents with more pages than this, before any work.");

    static {
        useWritableFontCache();
    }

    private PdfDocuments() {
    }

    /** Call before anything else touches PDFBox; the static initializer does the work. */
    static void init() {
    }

    /**
     * PDFBox scans the system fonts once and caches the result in {@code pdfbox.fontcache}, else in the home
     * directory. Point it at Sluice's temp directory so a read-only or missing home does not break (or slow down
     * every) run. A value set by the user wins.
     */
    private static void useWritableFontCache() {
        String configured = System.getProperty("pdfbox.fontcache");
        if (configured != null && Files.isDirectory(Path.of(configured)) && Files.isWritable(Path.of(configured))) {
            return;
        }
        try {
            Path dir = Files.createDirectories(TempFiles.directory().resolve("sluice-pdfbox-fontcache"));
            System.setProperty("pdfbox.fontcache", dir.toString());
        } catch (IOException | RuntimeException e) {
            // PDFBox falls back to java.io.tmpdir itself; only the cache is lost.
        }
    }

    /**
     * Opens the invocation's input. Throws {@link BadInputException} with a message a user can act on for
     * password-protected, unreadable or page-less files, and {@link LimitExceededException} over {@code max-pages}.
     */
    static PDDocument open(Invocation invocation) throws IOException {
        Parameters parameters = invocation.parameters();
        String password = parameters.find(PASSWORD).orElse("");
        int maxPages = parameters.has(MAX_PAGES) ? parameters.getInt(MAX_PAGES) : DEFAULT_MAX_PAGES;
        return open(invocation.input().file(), invocation.input().key(), password, maxPages);
    }

    static PDDocument open(Path file, String name, String password, int maxPages) throws IOException {
        PDDocument document;
        try {
            document = Loader.loadPDF(file.toFile(), password, null, null, tempFileStreamCache());
        } catch (InvalidPasswordException e) {
            throw new BadInputException(password.isEmpty()
                    ? name + " is password-protected. Pass its user password in the 'password' parameter "
                    + "(in a pipeline: params: {password: ${PDF_PASSWORD}}, to take it from the environment)."
                    : name + " is password-protected and the 'password' parameter does not open it. "
                    + "Check the user password.", e);
        } catch (IOException | RuntimeException e) {
            throw unreadable(name, e);
        }
        try {
            int pages;
            try {
                pages = document.getNumberOfPages();
            } catch (RuntimeException e) {
                throw new BadInputException(name + " has no readable page tree (" + e.getMessage() + "); even "
                        + "lenient parsing cannot find its pages. Repair or re-export the PDF and upload it again.", e);
            }
            if (pages <= 0) {
                throw new BadInputException(name + " has no readable pages (its page tree is missing or damaged). "
                        + "Repair or re-export the PDF and upload it again.");
            }
            if (pages > maxPages) {
                throw new LimitExceededException(name + " has " + pages + " pages, more than the limit max-pages="
                        + maxPages + ". Raise max-pages for this function if documents this long are expected.");
            }
            return document;
        } catch (RuntimeException e) {
            document.close();
            throw e instanceof BadInputException ? e : unreadable(name, e);
        }
    }

    /**
     * Where PDFBox buffers streams it creates or decodes for writing: temp files only (like
     * {@code IOUtils.createTempFileOnlyStreamCache()}), in Sluice's temp directory ({@code sluice.tmpdir}).
     */
    static StreamCacheCreateFunction tempFileStreamCache() {
        return MemoryUsageSetting.setupTempFileOnly().setTempDir(TempFiles.directory().toFile()).streamCache;
    }

    /** A damaged file that even lenient parsing could not make sense of. */
    static BadInputException unreadable(String name, Throwable cause) {
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new BadInputException(name + " is not a readable PDF (" + reason + "). It may be truncated, "
                + "damaged or not a PDF at all; repair or re-export it and upload it again.", cause);
    }
}
