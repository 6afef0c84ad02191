package dev.sluice.functions.ocr;

import com.sun.jna.Pointer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One Tesseract instance ({@code TessBaseAPI}) with its models loaded. Not thread-safe: the {@link EnginePool}
 * lends it to one thread at a time.
 */
final class Engine implements AutoCloseable {
    /** Which models an engine has loaded; engines are pooled per key. */
    record Key(Path datapath, String languages) {
        @Override
        public String toString() {
            return languages;
        }
    }

    private final TessCApi api;
    private final Pointer handle;
    private final Key key;
    private int uses;
    private long idleSinceNanos;

    private Engine(TessCApi api, Pointer handle, Key key) {
        this.api = api;
        this.handle = handle;
        this.key = key;
    }

    static Engine start(TessCApi api, Key key) {
        Pointer handle = api.TessBaseAPICreate();
        if (handle == null) {
            throw new OutOfMemoryError("Tesseract could not create an engine");
        }
        if (api.TessBaseAPIInit2(handle, key.datapath().toString(), key.languages(), TessCApi.OEM_DEFAULT) != 0) {
            api.TessBaseAPIDelete(handle);
            throw new OcrUnavailableException("Tesseract could not load the model(s) " + key.languages() + " from "
                    + key.datapath() + ". The .traineddata files may be damaged or made for another Tesseract "
                    + "version; replace them with ones from tessdata_fast or your distribution's tesseract-ocr-* "
                    + "packages.");
        }
        // Tesseract's warnings ("Estimating resolution as ...") go to stderr unless sent elsewhere.
        api.TessBaseAPISetVariable(handle, "debug_file",
                System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows") ? "nul" : "/dev/null");
        return new Engine(api, handle, key);
    }

    TessCApi api() {
        return api;
    }

    Pointer handle() {
        return handle;
    }

    Key key() {
        return key;
    }

    int uses() {
        return uses;
    }

    void used() {
        uses++;
        idleSinceNanos = System.nanoTime();
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    @Override
    public void close() {
        api.TessBaseAPIEnd(handle);
        api.TessBaseAPIDelete(handle);
    }
}
