package dev.sluice.functions.ocr;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.FloatByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The part of Tesseract's C API ({@code tesseract/capi.h}) that Sluice uses, bound with JNA. It is stable across
 * Tesseract 4.1 and 5.x, so the same binding works over Debian's libtesseract, Homebrew's, Tess4J's Windows DLL
 * and bytedeco's builds. Handles are plain pointers; every handle belongs to one thread at a time.
 */
interface TessCApi extends Library {
    int OEM_DEFAULT = 3;
    int PSM_OSD_ONLY = 0;
    int PSM_AUTO = 3;
    int RIL_BLOCK = 0;
    int RIL_PARA = 1;
    int RIL_TEXTLINE = 2;
    int RIL_WORD = 3;

    String TessVersion();

    void TessDeleteText(Pointer text);

    Pointer TessBaseAPICreate();

    void TessBaseAPIDelete(Pointer api);

    int TessBaseAPIInit2(Pointer api, String datapath, String language, int oem);

    int TessBaseAPISetVariable(Pointer api, String name, String value);

    void TessBaseAPISetInputName(Pointer api, String name);

    void TessBaseAPISetPageSegMode(Pointer api, int mode);

    void TessBaseAPISetImage(Pointer api, byte[] imagedata, int width, int height, int bytesPerPixel,
                             int bytesPerLine);

    void TessBaseAPISetSourceResolution(Pointer api, int ppi);

    int TessBaseAPIGetSourceYResolution(Pointer api);

    int TessBaseAPIRecognize(Pointer api, Pointer monitor);

    Pointer TessBaseAPIGetUTF8Text(Pointer api);

    Pointer TessBaseAPIGetHOCRText(Pointer api, int pageNumber);

    int TessBaseAPIMeanTextConf(Pointer api);

    void TessBaseAPIClear(Pointer api);

    void TessBaseAPIEnd(Pointer api);

    int TessBaseAPIDetectOrientationScript(Pointer api, IntByReference orientDeg, FloatByReference orientConf,
                                           PointerByReference scriptName, FloatByReference scriptConf);

    Pointer TessBaseAPIGetIterator(Pointer api);

    void TessPageIteratorDelete(Pointer iterator);

    int TessPageIteratorIsAtBeginningOf(Pointer iterator, int level);

    int TessPageIteratorBoundingBox(Pointer iterator, int level, IntByReference left, IntByReference top,
                                    IntByReference right, IntByReference bottom);

    void TessResultIteratorDelete(Pointer iterator);

    /** The same iterator seen as a page iterator (the C API casts). */
    Pointer TessResultIteratorGetPageIterator(Pointer iterator);

    int TessResultIteratorNext(Pointer iterator, int level);

    Pointer TessResultIteratorGetUTF8Text(Pointer iterator, int level);

    float TessResultIteratorConfidence(Pointer iterator, int level);

    Pointer TessMonitorCreate();

    void TessMonitorDelete(Pointer monitor);

    void TessMonitorSetDeadlineMSecs(Pointer monitor, int deadline);

    Pointer TessPDFRendererCreate(String outputBase, String datadir, int textOnly);

    int TessResultRendererBeginDocument(Pointer renderer, String title);

    int TessResultRendererAddImage(Pointer renderer, Pointer api);

    int TessResultRendererEndDocument(Pointer renderer);

    void TessDeleteResultRenderer(Pointer renderer);

    /** Copies a string that Tesseract allocated and frees it. */
    static String takeText(TessCApi api, Pointer text) {
        if (text == null) {
            return "";
        }
        try {
            return text.getString(0, "UTF-8");
        } finally {
            api.TessDeleteText(text);
        }
    }
}
