package dev.sluice.functions.ocr;

import dev.sluice.core.SluiceException;
import dev.sluice.core.exec.TempFiles;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code ocr}: text, word boxes, hOCR and searchable PDFs from scans, photos and scanned PDFs, with Tesseract.
 *
 * <p>All invocations in a process share one set of worker threads, as many as there are cores (parameter
 * {@code engines}), each using one warm Tesseract engine with internal threading off; the pages of a document
 * are OCRed on these workers in parallel, while the invocation's own thread decodes the next pages and puts the
 * results together in order, keeping at most {@code engines + 1} decoded pages in memory. Engines are replaced
 * after {@code engine-max-uses} pages and closed after {@code engine-idle-timeout} idle seconds, and the workers
 * end too, so an idle server holds no engines. The first call after that pays the cold start, which is logged
 * and available from {@link #stats()}.
 */
public final class OcrFunction implements SluiceFunction {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OcrFunction.class);

    /**
     * What OCR has cost this process so far.
     *
     * @param library          the libtesseract in use
     * @param libraryLoad      time to find and load it (once per process)
     * @param firstCallColdStart engine starts paid by the first invocation, plus the library load unless
     *                           {@link #prepare} did that before
     * @param enginesStarted   engines started, including replacements and restarts after idle
     * @param engineStartTime  time spent starting them
     * @param liveEngines      engines alive now (0 after the idle timeout: scaled to zero)
     */
    public record Stats(String library, Duration libraryLoad, Duration firstCallColdStart, int enginesStarted,
                        Duration engineStartTime, int liveEngines) {
    }

    private Runtime runtime;
    private boolean invoked;
    private Duration firstCallColdStart;

    /** The loaded library, engine pool and worker threads; made on the first invocation. */
    private record Runtime(NativeTesseract.Loaded library, EnginePool pool, ThreadPoolExecutor workers) {
    }

    @Override
    public String name() {
        return "ocr";
    }

    @Override
    public String description() {
        return "OCR images (PNG, JPEG, TIFF, WebP, BMP) and scanned PDFs with Tesseract: text, JSON word boxes, "
                + "hOCR or searchable PDF.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return OcrOptions.specs();
    }

    @Override
    public void validate(Parameters parameters) {
        OcrOptions.from(parameters);
    }

    /**
     * Loads libtesseract (a fifth of a second, more when the bundled build is unpacked the first time) and makes the
     * worker pool, so that the first document does not wait for them. Engines still start on first use: which
     * languages they need is up to the invocations.
     */
    @Override
    public synchronized void prepare() {
        if (runtime == null) {
            runtime(OcrOptions.from(Parameters.of(this, Map.of())));
        }
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        long start = System.nanoTime();
        OcrOptions options = OcrOptions.from(invocation.parameters());
        boolean firstCall;
        boolean loadsLibrary;
        Runtime rt;
        synchronized (this) {
            firstCall = !invoked;
            invoked = true;
            loadsLibrary = runtime == null;
            rt = runtime(options);
        }
        String name = invocation.input().key();
        Path datapath = TessData.folderFor(options.languages(), options.tessdata());
        Engine.Key textKey = new Engine.Key(datapath, options.languages());
        Engine.Key osdKey = new Engine.Key(TessData.folderFor("osd", options.tessdata()), "osd");
        AtomicLong coldStartNanos = new AtomicLong();
        Path work = Files.createTempDirectory(TempFiles.directory(), "sluice-ocr-");
        List<PageResult> pages = new ArrayList<>();
        try (InputDocument document = InputDocument.open(invocation.input(), options);
             SearchablePdf pdf = !options.wants(OcrOptions.Format.PDF) ? null
                     : document instanceof InputDocument.Pdf p ? SearchablePdf.overlaying(p.document())
                     : SearchablePdf.fromImages()) {
            PageRecognizer recognizer = new PageRecognizer(rt.pool(), textKey, osdKey, TessData.bundled(), options,
                    name, invocation.deadline(), work, coldStartNanos,
                    pdf != null && !(document instanceof InputDocument.Pdf));
            Deque<Future<PageResult>> pending = new ArrayDeque<>();
            try {
                for (int i = 0; i < document.pageCount(); i++) {
                    invocation.checkDeadline();
                    while (pending.size() > options.engines()) {
                        pages.add(collect(await(pending.removeFirst()), pdf));
                        invocation.progress((double) pages.size() / document.pageCount());
                    }
                    long loadStart = System.nanoTime();
                    InputDocument.Page page = document.load(i);
                    LOG.debug("{} page {} decoded in {} ms", name, i + 1, (System.nanoTime() - loadStart) / 1_000_000);
                    if (page instanceof InputDocument.TextPage text) {
                        pending.add(CompletableFuture.completedFuture(
                                PageResult.fromTextLayer(text.index(), text.text())));
                    } else {
                        InputDocument.ImagePage image = (InputDocument.ImagePage) page;
                        pending.add(rt.workers().submit(() -> recognizer.recognize(image)));
                    }
                }
                while (!pending.isEmpty()) {
                    pages.add(collect(await(pending.removeFirst()), pdf));
                    invocation.progress((double) pages.size() / document.pageCount());
                }
            } finally {
                pending.forEach(f -> f.cancel(true));
            }
            write(invocation, options, rt.library(), pages, pdf);
        } finally {
            deleteTree(work);
        }
        long coldMillis = TimeUnit.NANOSECONDS.toMillis(coldStartNanos.get())
                + (loadsLibrary ? rt.library().loadTime().toMillis() : 0);
        if (firstCall) {
            synchronized (this) {
                firstCallColdStart = Duration.ofMillis(coldMillis);
            }
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (coldMillis > 0) {
            invocation.logger().info("OCR of {}: {} page(s) in {} ms, of which cold start {} ms ({}engine start)",
                    name, pages.size(), tookMillis, coldMillis, loadsLibrary ? "library load + " : "");
        } else {
            invocation.logger().debug("OCR of {}: {} page(s) in {} ms", name, pages.size(), tookMillis);
        }
    }

    private synchronized Runtime runtime(OcrOptions options) {
        EnginePool.Settings settings = new EnginePool.Settings(2 * options.engines(), options.engineMaxUses(),
                options.engineIdleTimeout());
        if (runtime == null) {
            NativeTesseract.Loaded library = NativeTesseract.get();
            AtomicInteger threads = new AtomicInteger();
            ThreadPoolExecutor workers = new ThreadPoolExecutor(options.engines(), options.engines(),
                    options.engineIdleTimeout().toMillis(), TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "sluice-ocr-" + threads.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            workers.allowCoreThreadTimeOut(true);
            runtime = new Runtime(library, new EnginePool(library.api(), settings), workers);
        } else {
            runtime.pool().configure(settings);
            ThreadPoolExecutor workers = runtime.workers();
            if (workers.getMaximumPoolSize() != options.engines()) {
                if (options.engines() > workers.getMaximumPoolSize()) {
                    workers.setMaximumPoolSize(options.engines());
                    workers.setCorePoolSize(options.engines());
                } else {
                    workers.setCorePoolSize(options.engines());
                    workers.setMaximumPoolSize(options.engines());
                }
            }
            workers.setKeepAliveTime(options.engineIdleTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        return runtime;
    }

    private static PageResult await(Future<PageResult> future) throws IOException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new SluiceException("OCR failed: " + cause, cause);
        }
    }

    /** Adds the page to the PDF (in page order) and drops what only the PDF needed. */
    private static PageResult collect(PageResult page, SearchablePdf pdf) throws IOException {
        if (pdf != null) {
            if (pdf.overlays()) {
                pdf.overlayPage(page);
            } else {
                pdf.addImagePage(page);
            }
        }
        return new PageResult(page.index(), page.width(), page.height(), page.dpi(), page.rotation(),
                page.deskewDegrees(), page.meanConfidence(), page.fromTextLayer(), page.text(), page.words(),
                page.hocr(), null, null, null);
    }

    private static void write(Invocation invocation, OcrOptions options, NativeTesseract.Loaded library,
                              List<PageResult> pages, SearchablePdf pdf) throws IOException {
        String source = invocation.input().key();
        for (OcrOptions.Format format : options.formats()) {
            OutputSpec spec = OutputSpec.of("", format.extension, format.contentType).with("format", format.id());
            try (OutputStream out = invocation.outputs().open(spec)) {
                switch (format) {
                    case TEXT -> OcrWriters.text(pages, out);
                    case JSON -> OcrWriters.json(source, library, options, pages, out);
                    case HOCR -> OcrWriters.hocr(source, library, pages, out);
                    case PDF -> pdf.save(out);
                }
            }
        }
    }

    /** What OCR has cost so far; empty figures before the first invocation. */
    public synchronized Stats stats() {
        if (runtime == null) {
            return new Stats(null, Duration.ZERO, null, 0, Duration.ZERO, 0);
        }
        return new Stats(runtime.library().toString(), runtime.library().loadTime(), firstCallColdStart,
                runtime.pool().enginesStarted(), runtime.pool().totalStartTime(), runtime.pool().liveEngines());
    }

    /** Closes idle engines now, as the idle timeout would; for tests and for servers told to scale down. */
    public synchronized void releaseIdleEngines() {
        if (runtime != null) {
            runtime.pool().closeIdle(Duration.ZERO);
        }
    }

    @Override
    public synchronized void close() {
        if (runtime != null) {
            runtime.workers().shutdownNow();
            runtime.pool().close();
            runtime = null;
        }
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(TempFiles::deleteQuietly);
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("Could not delete {}", folder, e);
        }
    }
}
