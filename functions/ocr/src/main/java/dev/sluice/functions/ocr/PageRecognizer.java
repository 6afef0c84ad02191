package dev.sluice.functions.ocr;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.FloatByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.sluice.core.LimitExceededException;
import dev.sluice.core.SluiceException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OCRs one page on the calling thread with engines borrowed from the pool: optional deskew, recognition under a
 * deadline, orientation detection (OSD) and a second recognition only when the page reads poorly, then only the
 * results that the requested outputs need.
 */
final class PageRecognizer {
    private static final Logger LOG = LoggerFactory.getLogger(PageRecognizer.class);
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    /** OSD below this confidence leaves the page as it is. */
    static final float ROTATE_CONFIDENCE = 2.0f;
    /**
     * Pages whose text Tesseract reads with at least this mean confidence are taken as upright and skip OSD;
     * upright pages score about 90, pages turned by 90 or 180 degrees below 50.
     */
    static final int OSD_BELOW_CONFIDENCE = 75;
    /** Smaller tilts are left alone: turning costs a little sharpness and gains nothing. */
    static final double MIN_DESKEW_DEGREES = 0.1;

    private final EnginePool pool;
    private final Engine.Key textKey;
    private final Engine.Key osdKey;
    private final Path pdfFontFolder;
    private final OcrOptions options;
    private final String name;
    private final Instant invocationDeadline;
    private final Path workDir;
    private final AtomicLong coldStartNanos;
    private final boolean keepImages;

    /** {@code keepImages}: the searchable PDF is built from the recognised images (image inputs). */
    PageRecognizer(EnginePool pool, Engine.Key textKey, Engine.Key osdKey, Path pdfFontFolder, OcrOptions options,
                   String name, Instant invocationDeadline, Path workDir, AtomicLong coldStartNanos,
                   boolean keepImages) {
        this.pool = pool;
        this.textKey = textKey;
        this.osdKey = osdKey;
        this.pdfFontFolder = pdfFontFolder;
        this.options = options;
        this.name = name;
        this.invocationDeadline = invocationDeadline;
        this.workDir = workDir;
        this.coldStartNanos = coldStartNanos;
        this.keepImages = keepImages;
    }

    PageResult recognize(InputDocument.ImagePage page) throws IOException {
        long pageDeadline = System.nanoTime() + options.pageTimeout().toNanos();
        Engine engine = pool.borrow(textKey, coldStartNanos);
        boolean healthy = false;
        try {
            Attempt best = attempt(engine, page.image(), page.dpi(), 0, page.index(), pageDeadline);
            if (options.autoRotate() && best.confidence() < OSD_BELOW_CONFIDENCE) {
                // Upright pages read well and skip OSD, which costs as much as recognising a small page.
                int rotation = detectRotation(page.image(), page.dpi());
                if (rotation != 0) {
                    Attempt turned = attempt(engine, Images.rotateQuadrants(page.image(), rotation), page.dpi(),
                            rotation, page.index(), pageDeadline);
                    best = turned.confidence() > best.confidence() ? turned
                            : attempt(engine, page.image(), page.dpi(), 0, page.index(), pageDeadline);
                }
            }
            PageResult result = results(engine, page, best);
            healthy = true;
            return result;
        } finally {
            if (healthy) {
                engine.api().TessBaseAPIClear(engine.handle());
            }
            pool.release(engine, healthy);
        }
    }

    /** One recognition of an image; the engine keeps its results for {@link #results}. */
    private record Attempt(BufferedImage image, int rotation, double deskewDegrees, String text, int confidence) {
    }

    private Attempt attempt(Engine engine, BufferedImage image, int dpi, int rotation, int index, long pageDeadline) {
        TessCApi api = engine.api();
        Pointer h = engine.handle();
        long t0 = System.nanoTime();
        double deskewDegrees = 0;
        if (options.deskew()) {
            deskewDegrees = Skew.detectDegrees(image);
            if (Math.abs(deskewDegrees) >= MIN_DESKEW_DEGREES) {
                image = Images.rotateSmall(image, Math.toRadians(deskewDegrees));
            } else {
                deskewDegrees = 0;
            }
        }
        setImage(engine, image, dpi);
        api.TessBaseAPISetPageSegMode(h, options.psm());
        long t1 = System.nanoTime();
        long cpu1 = CPU.getCurrentThreadCpuTime();
        recognizeWithDeadline(engine, index, pageDeadline);
        String text = TessCApi.takeText(api, api.TessBaseAPIGetUTF8Text(h));
        int confidence = api.TessBaseAPIMeanTextConf(h);
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} page {} turned {}: prepare {} ms, recognise {} ms ({} ms CPU), confidence {}", name,
                    index + 1, rotation, (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000,
                    (CPU.getCurrentThreadCpuTime() - cpu1) / 1_000_000, confidence);
        }
        return new Attempt(image, rotation, deskewDegrees, text, confidence);
    }

    private PageResult results(Engine engine, InputDocument.ImagePage page, Attempt best) throws IOException {
        TessCApi api = engine.api();
        Pointer h = engine.handle();
        List<PageResult.Word> words = options.wants(OcrOptions.Format.JSON) ? words(engine) : List.of();
        String hocr = null;
        if (options.wants(OcrOptions.Format.HOCR)) {
            api.TessBaseAPISetInputName(h, name);
            hocr = TessCApi.takeText(api, api.TessBaseAPIGetHOCRText(h, page.index()));
        }
        byte[] textLayer = options.wants(OcrOptions.Format.PDF) ? textLayerPdf(engine, page.index()) : null;
        int dpi = api.TessBaseAPIGetSourceYResolution(h);
        boolean unchanged = best.rotation() == 0 && best.deskewDegrees() == 0;
        return new PageResult(page.index(), best.image().getWidth(), best.image().getHeight(), dpi, best.rotation(),
                best.deskewDegrees(), best.confidence(), false, best.text(), words, hocr, textLayer,
                keepImages ? best.image() : null, keepImages && unchanged ? page.original() : null);
    }

    private static void setImage(Engine engine, BufferedImage image, int dpi) {
        Images.TessImage pixels = Images.toTess(image);
        engine.api().TessBaseAPISetImage(engine.handle(), pixels.data(), pixels.width(), pixels.height(),
                pixels.bytesPerPixel(), pixels.bytesPerLine());
        if (dpi > 0) {
            engine.api().TessBaseAPISetSourceResolution(engine.handle(), dpi);
        }
    }

    /** Clockwise degrees that make the page upright, 0 when OSD is unsure or finds too little text. */
    private int detectRotation(BufferedImage image, int dpi) {
        Engine osd = pool.borrow(osdKey, coldStartNanos);
        boolean healthy = false;
        try {
            setImage(osd, image, dpi);
            IntByReference degrees = new IntByReference();
            FloatByReference confidence = new FloatByReference();
            PointerByReference script = new PointerByReference();
            FloatByReference scriptConfidence = new FloatByReference();
            boolean found = osd.api().TessBaseAPIDetectOrientationScript(osd.handle(), degrees, confidence, script,
                    scriptConfidence) != 0;
            osd.api().TessBaseAPIClear(osd.handle());
            healthy = true;
            if (!found || confidence.getValue() < ROTATE_CONFIDENCE) {
                return 0;
            }
            // Tesseract reports the text's anticlockwise turn; undoing it is the same turn clockwise
            return (360 - degrees.getValue()) % 360;
        } finally {
            pool.release(osd, healthy);
        }
    }

    /**
     * Recognises under a deadline, the sooner of the page timeout and the invocation's: Tesseract checks it
     * between words and stops. (A cancel callback would also stop on interrupts, but JNA callbacks cost a few
     * percent of the page time when called for every word; the deadline covers every way an invocation ends.)
     */
    private void recognizeWithDeadline(Engine engine, int index, long pageDeadline) {
        long untilInvocationEnds = java.time.Duration.between(Instant.now(), invocationDeadline).toNanos();
        long deadline = Math.min(pageDeadline, System.nanoTime() + Math.max(0, untilInvocationEnds));
        long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
        if (remainingMillis <= 0 || Thread.currentThread().isInterrupted()) {
            throw timeout(index, pageDeadline);
        }
        TessCApi api = engine.api();
        Pointer monitor = api.TessMonitorCreate();
        try {
            api.TessMonitorSetDeadlineMSecs(monitor, (int) Math.min(Integer.MAX_VALUE, remainingMillis));
            int status = api.TessBaseAPIRecognize(engine.handle(), monitor);
            if (status != 0) {
                if (System.nanoTime() - deadline >= 0) {
                    throw timeout(index, pageDeadline);
                }
                throw new SluiceException("Tesseract could not recognise " + name + " page " + (index + 1)
                        + " (status " + status + ").");
            }
        } finally {
            api.TessMonitorDelete(monitor);
        }
    }

    private LimitExceededException timeout(int index, long pageDeadline) {
        boolean pageLimit = System.nanoTime() - pageDeadline >= 0;
        return new LimitExceededException("OCR of " + name + " page " + (index + 1) + " took longer than "
                + (pageLimit ? "page-timeout=" + options.pageTimeout().toSeconds() + "s" : "the invocation's timeout")
                + ". Scan at a lower resolution, OCR fewer pages per file, or raise the timeout.");
    }

    private static List<PageResult.Word> words(Engine engine) {
        TessCApi api = engine.api();
        Pointer iterator = api.TessBaseAPIGetIterator(engine.handle());
        List<PageResult.Word> words = new ArrayList<>();
        if (iterator == null) {
            return words;
        }
        try {
            IntByReference left = new IntByReference();
            IntByReference top = new IntByReference();
            IntByReference right = new IntByReference();
            IntByReference bottom = new IntByReference();
            int block = -1;
            int paragraph = -1;
            int line = -1;
            do {
                if (api.TessPageIteratorIsAtBeginningOf(iterator, TessCApi.RIL_BLOCK) != 0) {
                    block++;
                }
                if (api.TessPageIteratorIsAtBeginningOf(iterator, TessCApi.RIL_PARA) != 0) {
                    paragraph++;
                }
                if (api.TessPageIteratorIsAtBeginningOf(iterator, TessCApi.RIL_TEXTLINE) != 0) {
                    line++;
                }
                Pointer text = api.TessResultIteratorGetUTF8Text(iterator, TessCApi.RIL_WORD);
                if (text == null) {
                    continue;
                }
                String word = TessCApi.takeText(api, text);
                float confidence = api.TessResultIteratorConfidence(iterator, TessCApi.RIL_WORD);
                if (api.TessPageIteratorBoundingBox(iterator, TessCApi.RIL_WORD, left, top, right, bottom) != 0
                        && !word.isBlank()) {
                    words.add(new PageResult.Word(word, Math.round(confidence * 100) / 100f, left.getValue(),
                            top.getValue(), right.getValue() - left.getValue(), bottom.getValue() - top.getValue(),
                            Math.max(block, 0), Math.max(paragraph, 0), Math.max(line, 0)));
                }
            } while (api.TessResultIteratorNext(iterator, TessCApi.RIL_WORD) != 0);
        } finally {
            api.TessResultIteratorDelete(iterator);
        }
        return words;
    }

    /** Tesseract's own PDF renderer in text-only mode: the invisible, correctly placed text of this page. */
    private byte[] textLayerPdf(Engine engine, int index) throws IOException {
        TessCApi api = engine.api();
        Path base = workDir.resolve("page-" + index);
        Pointer renderer = api.TessPDFRendererCreate(base.toString(), pdfFontFolder.toString(), 1);
        if (renderer == null) {
            throw new SluiceException("Tesseract could not start its PDF renderer (writing to " + workDir + ").");
        }
        try {
            boolean ok = api.TessResultRendererBeginDocument(renderer, name) != 0
                    && api.TessResultRendererAddImage(renderer, engine.handle()) != 0
                    && api.TessResultRendererEndDocument(renderer) != 0;
            if (!ok) {
                throw new SluiceException("Tesseract's PDF renderer failed on " + name + " page " + (index + 1)
                        + "; is " + pdfFontFolder.resolve("pdf.ttf") + " readable?");
            }
        } finally {
            api.TessDeleteResultRenderer(renderer);
        }
        Path pdf = base.resolveSibling(base.getFileName() + ".pdf");
        try {
            return Files.readAllBytes(pdf);
        } finally {
            Files.deleteIfExists(pdf);
        }
    }
}
