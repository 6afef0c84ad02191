package dev.sluice.functions.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Decodes a baseline JPEG straight to 1/2, 1/4 or 1/8 of its size in the DCT domain, the way libjpeg's scaled
 * decoding (and so vipsthumbnail's shrink-on-load) does: each 8x8 block becomes 4x4, 2x2 or 1x1 pixels that
 * are the exact box average of the full decode, and at 1/8 only the DC coefficient is needed, so the inverse
 * DCT is skipped altogether. For a thumbnail of a camera-size photo this is several times faster than a full
 * decode followed by a resize, and it needs only a fraction of the memory.
 *
 * <p>Progressive JPEGs are decoded at 1/8 only: their DC scans come first and hold all that is needed, so the
 * AC scans (most of the file) are skipped without being decoded.
 *
 * <p>The header is read by {@link #read(byte[])}, which never throws: whatever this decoder does not handle
 * (arithmetic coding, lossless, 12-bit samples, CMYK, non-interleaved baseline scans, odd sampling factors) is
 * reported by {@link #unsupportedReason()}, and the caller decodes with ImageIO instead. Not thread-safe; use one
 * instance per image.
 */
final class JpegReducedDecoder {

    /** The entropy-coded data is corrupt or truncated; the caller lets ImageIO have the final word. */
    static final class CorruptDataException extends Exception {
        CorruptDataException(String message) {
            super(message);
        }
    }

    private static final int[] ZIGZAG = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    };

    /** {@code BOX_IDCT[k][i * 8 + u]}: weight of frequency u in output sample i when a block becomes k samples. */
    private static final float[][] BOX_IDCT = new float[9][];

    static {
        for (int k : new int[] {1, 2, 4, 8}) {
            int n = 8 / k;
            float[] m = new float[k * 8];
            for (int i = 0; i < k; i++) {
                for (int u = 0; u < 8; u++) {
                    double cu = u == 0 ? Math.sqrt(0.5) : 1.0;
                    double sum = 0;
                    for (int x = i * n; x < i * n + n; x++) {
                        sum += cu / 2 * Math.cos((2 * x + 1) * u * Math.PI / 16);
                    }
                    m[i * 8 + u] = (float) (sum / n);
                }
            }
            BOX_IDCT[k] = m;
        }
    }

    // YCbCr -> RGB in 16-bit fixed point, as in JFIF.
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (int) Math.round(1.40200 * 65536 * x) + 32768;
            CB_B[i] = (int) Math.round(1.77200 * 65536 * x) + 32768;
            CR_G[i] = (int) Math.round(-0.71414 * 65536 * x);
            CB_G[i] = (int) Math.round(-0.34414 * 65536 * x) + 32768;
        }
    }

    private final byte[] data;
    /** The JPEG is data[0, dataEnd): the array may be a reused buffer that is longer. */
    private final int dataEnd;
    private String unsupported;
    private int width;
    private int height;
    private int orientation = 1;
    private boolean exifSeen;
    private int adobeTransform = -1;
    private boolean jfif;
    private final ByteArrayOutputStream icc = new ByteArrayOutputStream();

    private final int[][] quant = new int[4][];
    private final Huffman[] dcTables = new Huffman[4];
    private final Huffman[] acTables = new Huffman[4];
    private int restartInterval;
    private Component[] components;
    private int hMax = 1;
    private int vMax = 1;
    private boolean progressive;
    private int scanStart = -1;
    private Component[] scanComponents;
    private int spectralStart;
    private int approximationHigh;
    private int approximationLow;

    // bit reader state
    private int pos;
    private long bits;
    private int bitCount;
    private int paddingBytes;
    private boolean atMarker;
    private int mcusInInterval;

    private JpegReducedDecoder(byte[] data, int dataEnd) {
        this.data = data;
        this.dataEnd = dataEnd;
    }

    /** Reads the markers up to the first scan. Never throws; see {@link #unsupportedReason()}. */
    static JpegReducedDecoder read(byte[] data) {
        return read(data, data.length);
    }

    /**
     * {@link #read(byte[])} for a JPEG in the first {@code length} bytes of {@code data} (a reused buffer). The
     * decoder reads the array until {@link #decode} and {@link #iccProfile} are done with it.
     */
    static JpegReducedDecoder read(byte[] data, int length) {
        JpegReducedDecoder decoder = new JpegReducedDecoder(data, length);
        try {
            decoder.readMarkers();
        } catch (RuntimeException e) {
            decoder.unsupported = "malformed JPEG header (" + e + ")";
        }
        return decoder;
    }

    /** Width from the frame header, or 0 when there was none. */
    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** EXIF orientation (1-8) from the APP1 segment; 1 when absent. */
    int orientation() {
        return orientation;
    }

    /** Why {@link #decode} cannot be used, or {@code null} when it can. */
    String unsupportedReason() {
        return unsupported;
    }

    /**
     * Whether {@link #decode} can scale by 1/denominator: 2, 4, 8, 16 and 32 for baseline JPEGs, 8, 16 and 32 for
     * progressive ones (16 and 32 unless a component is subsampled by 3).
     */
    boolean supports(int denominator) {
        if (unsupported != null) {
            return false;
        }
        if (denominator == 16 || denominator == 32) {
            return Arrays.stream(components).allMatch(c -> isPowerOfTwo(hMax / c.h) && isPowerOfTwo(vMax / c.v));
        }
        return denominator == 8 || (!progressive && (denominator == 2 || denominator == 4));
    }

    private static boolean isPowerOfTwo(int n) {
        return (n & (n - 1)) == 0;
    }

    /** The embedded ICC profile (APP2 chunks joined), or {@code null}. */
    byte[] iccProfile() {
        return icc.size() == 0 ? null : icc.toByteArray();
    }

    /**
     * Decodes at {@code 1/scaleDenominator} of the full size ({@code ceil(width / denominator)} wide).
     *
     * @param scaleDenominator 2, 4, 8, 16 or 32; past 8, the 1/8 samples (each block's average) are averaged in
     *                         2x2 or 4x4 groups
     * @param cancelled        polled once per row of blocks; decoding stops with an exception when it says so
     * @return a {@code TYPE_INT_RGB} or {@code TYPE_BYTE_GRAY} image in the colour space of the file
     */
    BufferedImage decode(int scaleDenominator, BooleanSupplier cancelled) throws CorruptDataException {
        if (unsupported != null) {
            throw new IllegalStateException(unsupported);
        }
        if (!supports(scaleDenominator)) {
            throw new IllegalArgumentException("cannot decode this JPEG at 1/" + scaleDenominator);
        }
        int k = Math.max(1, 8 / scaleDenominator);
        int group = Math.max(1, scaleDenominator / 8);
        int mcusX = ceilDiv(width, 8 * hMax);
        int mcusY = ceilDiv(height, 8 * vMax);
        if (progressive) {
            decodeProgressiveDc(mcusX, mcusY, cancelled);
            return imageAt(1, group);
        }
        boolean interleaved = scanComponents.length > 1;
        for (Component c : components) {
            if (interleaved) {
                c.blocksWide = mcusX * c.h;
                c.blocksHigh = mcusY * c.v;
            } else {
                c.blocksWide = ceilDiv(ceilDiv(width * c.h, hMax), 8);
                c.blocksHigh = ceilDiv(ceilDiv(height * c.v, vMax), 8);
            }
            c.planeStride = c.blocksWide * k;
            c.plane = new byte[c.planeStride * c.blocksHigh * k];
            c.predictor = 0;
        }

        pos = scanStart;
        bits = 0;
        bitCount = 0;
        paddingBytes = 0;
        atMarker = false;
        mcusInInterval = 0;
        decodeScan(k, interleaved, mcusX, mcusY, cancelled);
        return imageAt(k, group);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Markers

    private void readMarkers() {
        if (dataEnd < 4 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != 0xD8) {
            unsupported = "not a JPEG file";
            return;
        }
        int p = 2;
        boolean frameSeen = false;
        while (p + 4 <= dataEnd) {
            if ((data[p] & 0xFF) != 0xFF) {
                // garbage between segments: libjpeg skips to the next marker, so do we
                p++;
                continue;
            }
            int marker = data[p + 1] & 0xFF;
            if (marker == 0xFF) {
                p++;
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                p += 2;
                continue;
            }
            if (marker == 0xD9) {
                break;
            }
            int length = u16(p + 2);
            int start = p + 4;
            int end = p + 2 + length;
            if (length < 2 || end > dataEnd) {
                unsupported = "segment 0x" + Integer.toHexString(marker) + " runs past the end of the file";
                return;
            }
            switch (marker) {
                case 0xC0, 0xC1 -> {
                    readFrame(start, end);
                    frameSeen = true;
                    if (unsupported != null) {
                        return;
                    }
                }
                case 0xC2 -> {
                    readFrame(start, end);
                    progressive = true;
                    frameSeen = true;
                    if (unsupported != null) {
                        return;
                    }
                }
                case 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF -> {
                    readFrameSize(start);
                    unsupported = switch (marker) {
                        case 0xC3, 0xC7, 0xCB, 0xCF -> "lossless JPEG";
                        case 0xC5, 0xC6 -> "hierarchical JPEG";
                        default -> "arithmetic-coded JPEG";
                    };
                    // the APP1 segment (orientation) normally comes before the frame, so it has been read
                    return;
                }
                case 0xC4 -> readHuffmanTables(start, end);
                case 0xDB -> readQuantTables(start, end);
                case 0xDD -> restartInterval = u16(start);
                case 0xE0 -> jfif |= startsWith(start, end, "JFIF\0");
                case 0xE1 -> {
                    if (!exifSeen && startsWith(start, end, "Exif\0")) {
                        exifSeen = true;
                        if (start + 6 < end) {
                            orientation = ExifOrientation.fromTiff(java.util.Arrays.copyOfRange(data, start + 6, end));
                        }
                    }
                }
                case 0xE2 -> {
                    if (startsWith(start, end, "ICC_PROFILE\0") && start + 14 <= end) {
                        icc.write(data, start + 14, end - start - 14);
                    }
                }
                case 0xEE -> {
                    if (startsWith(start, end, "Adobe") && end - start >= 12) {
                        adobeTransform = data[start + 11] & 0xFF;
                    }
                }
                case 0xDA -> {
                    if (!frameSeen) {
                        unsupported = "scan before frame header";
                        return;
                    }
                    readScanHeader(start, end);
                    return;
                }
                default -> {
                    // other APPn, COM, DNL...: not needed
                }
            }
            p = end;
        }
        if (unsupported == null) {
            unsupported = width == 0 ? "no frame header (not a complete JPEG)" : "no image data (no scan)";
        }
    }

    private void readFrameSize(int start) {
        if (start + 5 <= dataEnd) {
            height = u16(start + 1);
            width = u16(start + 3);
        }
    }

    private void readFrame(int start, int end) {
        int precision = data[start] & 0xFF;
        readFrameSize(start);
        int count = data[start + 5] & 0xFF;
        if (precision != 8) {
            unsupported = precision + "-bit JPEG";
            return;
        }
        if (width == 0 || height == 0) {
            unsupported = "frame without width or height";
            return;
        }
        if (count != 1 && count != 3) {
            unsupported = count + "-component JPEG (CMYK/YCCK)";
            return;
        }
        if (start + 6 + 3 * count > end) {
            unsupported = "short frame header";
            return;
        }
        components = new Component[count];
        for (int i = 0; i < count; i++) {
            int o = start + 6 + 3 * i;
            Component c = new Component();
            c.id = data[o] & 0xFF;
            c.h = (data[o + 1] & 0xFF) >> 4;
            c.v = data[o + 1] & 0x0F;
            c.tq = data[o + 2] & 0xFF;
            if (c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3) {
                unsupported = "invalid component parameters";
                return;
            }
            components[i] = c;
            hMax = Math.max(hMax, c.h);
            vMax = Math.max(vMax, c.v);
        }
        for (Component c : components) {
            if (hMax % c.h != 0 || vMax % c.v != 0) {
                unsupported = "unusual chroma subsampling";
                return;
            }
        }
    }

    private void readScanHeader(int start, int end) {
        int count = data[start] & 0xFF;
        if (!progressive && count != components.length) {
            unsupported = "non-interleaved baseline scans";
            return;
        }
        try {
            readScan(start, end);
        } catch (CorruptDataException e) {
            unsupported = e.getMessage();
        }
    }

    /** Reads a scan header: its components with their tables, spectral selection and approximation. */
    private void readScan(int start, int end) throws CorruptDataException {
        int count = data[start] & 0xFF;
        if (count < 1 || count > components.length || start + 4 + 2 * count > end) {
            throw new CorruptDataException("invalid scan header");
        }
        int o = start + 1 + 2 * count;
        spectralStart = data[o] & 0xFF;
        approximationHigh = (data[o + 2] & 0xFF) >> 4;
        approximationLow = data[o + 2] & 0x0F;
        boolean dcScan = spectralStart == 0;
        scanComponents = new Component[count];
        for (int i = 0; i < count; i++) {
            int c = start + 1 + 2 * i;
            int id = data[c] & 0xFF;
            Component match = null;
            for (Component component : components) {
                if (component.id == id) {
                    match = component;
                }
            }
            if (match == null) {
                throw new CorruptDataException("scan names an unknown component");
            }
            match.dc = dcTables[(data[c + 1] & 0xFF) >> 4 & 3];
            match.ac = acTables[data[c + 1] & 3];
            match.q = quant[match.tq];
            boolean tablesMissing = progressive ? dcScan && approximationHigh == 0 && match.dc == null
                    : match.dc == null || match.ac == null;
            if (tablesMissing || match.q == null) {
                throw new CorruptDataException("scan refers to a missing table");
            }
            scanComponents[i] = match;
        }
        scanStart = end;
    }

    private void readHuffmanTables(int p, int end) {
        while (p < end) {
            int tc = (data[p] & 0xFF) >> 4;
            int th = data[p] & 0x0F;
            int[] counts = new int[17];
            int total = 0;
            for (int i = 1; i <= 16; i++) {
                counts[i] = data[p + i] & 0xFF;
                total += counts[i];
            }
            p += 17;
            if (th > 3 || tc > 1 || total > 256 || p + total > end) {
                unsupported = "invalid Huffman table";
                return;
            }
            Huffman table = Huffman.cached(data, p - 16, 16 + total);
            if (table == null) {
                int[] values = new int[total];
                for (int i = 0; i < total; i++) {
                    values[i] = data[p + i] & 0xFF;
                }
                table = Huffman.build(counts, values);
                if (table != null) {
                    Huffman.remember(data, p - 16, 16 + total, table);
                }
            }
            p += total;
            if (table == null) {
                unsupported = "invalid Huffman table";
                return;
            }
            (tc == 0 ? dcTables : acTables)[th] = table;
        }
    }

    private void readQuantTables(int p, int end) {
        while (p < end) {
            int pq = (data[p] & 0xFF) >> 4;
            int tq = data[p] & 0x0F;
            p++;
            if (tq > 3 || pq > 1 || p + 64 * (pq + 1) > end) {
                unsupported = "invalid quantisation table";
                return;
            }
            int[] table = new int[64];
            for (int i = 0; i < 64; i++) {
                table[i] = pq == 0 ? data[p + i] & 0xFF : u16(p + 2 * i);
            }
            p += 64 * (pq + 1);
            quant[tq] = table;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Entropy decoding

    private static final java.lang.invoke.VarHandle LONG_BIG_ENDIAN =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    /**
     * Decodes the scan into the component planes. At 1/8 each block's DC term is its average and the AC terms are
     * skipped without computing their values ({@link #skipAc}); at 1/4 and 1/2 each coefficient that contributes
     * to the box average (at 1/4 only 25 of the 64 do) is added straight into the block's output samples
     * ({@link #accumulateAc}), so no coefficient block or separate inverse DCT is needed.
     */
    private void decodeScan(int k, boolean interleaved, int mcusX, int mcusY, BooleanSupplier cancelled)
            throws CorruptDataException {
        for (Component c : scanComponents) {
            c.weights = k == 1 ? null : weights(k, c.q);
            c.acMulti = k == 1 ? c.ac.multiSkip() : null;
        }
        float[] acc = new float[k * k];
        int rows = interleaved ? mcusY : scanComponents[0].blocksHigh;
        int columns = interleaved ? mcusX : scanComponents[0].blocksWide;
        for (int row = 0; row < rows; row++) {
            if (cancelled.getAsBoolean()) {
                throw new CorruptDataException("cancelled");
            }
            // one method per row of MCUs keeps the compiled loops small: the JIT compiles it once, early
            decodeRow(row, columns, k, interleaved, acc);
            checkNotTruncated();
        }
    }

    private void decodeRow(int row, int columns, int k, boolean interleaved, float[] acc)
            throws CorruptDataException {
        for (int column = 0; column < columns; column++) {
            if (restartInterval > 0 && mcusInInterval == restartInterval) {
                restart();
                mcusInInterval = 0;
            }
            for (Component c : scanComponents) {
                int blocksHigh = interleaved ? c.v : 1;
                int blocksWide = interleaved ? c.h : 1;
                int blockRow = interleaved ? row * c.v : row;
                int firstColumn = interleaved ? column * c.h : column;
                for (int by = 0; by < blocksHigh; by++, blockRow++) {
                    for (int bx = 0, blockColumn = firstColumn; bx < blocksWide; bx++, blockColumn++) {
                        decodeDc(c);
                        if (k == 1) {
                            skipAc(c);
                            c.plane[blockRow * c.planeStride + blockColumn] =
                                    clamp((c.predictor * c.q[0] + 1028) >> 3);
                        } else {
                            reducedBlock(c, k, acc, blockRow, blockColumn);
                        }
                    }
                }
            }
            mcusInInterval++;
        }
    }

    /** One block at 1/4 or 1/2: its box averages, accumulated from the coefficients that contribute. */
    private void reducedBlock(Component c, int k, float[] acc, int blockRow, int blockColumn)
            throws CorruptDataException {
        int samples = k * k;
        float[] dcWeights = c.weights[0];
        for (int s = 0; s < samples; s++) {
            acc[s] = 128.5f + c.predictor * dcWeights[s];
        }
        accumulateAc(c, acc, samples);
        int offset = blockRow * k * c.planeStride + blockColumn * k;
        for (int y = 0, s = 0; y < k; y++) {
            for (int x = 0; x < k; x++, s++) {
                c.plane[offset + y * c.planeStride + x] = clamp((int) Math.floor(acc[s]));
            }
        }
    }

    /**
     * 1/8 of a progressive JPEG: decodes the DC scans (first pass and refinements) and skips every AC scan by
     * searching for the next marker.
     */
    private void decodeProgressiveDc(int mcusX, int mcusY, BooleanSupplier cancelled) throws CorruptDataException {
        for (Component c : components) {
            c.blocksWide = mcusX * c.h;
            c.blocksHigh = mcusY * c.v;
            c.planeStride = c.blocksWide;
            c.plane = new byte[c.blocksWide * c.blocksHigh];
            c.coefficients = new int[c.blocksWide * c.blocksHigh];
        }
        int p = scanStart;
        while (true) {
            if (cancelled.getAsBoolean()) {
                throw new CorruptDataException("cancelled");
            }
            if (spectralStart == 0) {
                pos = p;
                bits = 0;
                bitCount = 0;
                paddingBytes = 0;
                atMarker = false;
                decodeDcScan(mcusX, mcusY);
                p = atMarker ? pos : nextMarker(pos);
            } else {
                p = nextMarker(p);
            }
            // the segments between this scan and the next: tables, restart interval, the next scan header
            boolean nextScan = false;
            while (!nextScan) {
                if (p + 1 >= dataEnd) {
                    throw new CorruptDataException("JPEG ends before its last scan (truncated)");
                }
                int marker = data[p + 1] & 0xFF;
                if (marker == 0xD9) {
                    for (Component c : components) {
                        for (int i = 0; i < c.coefficients.length; i++) {
                            c.plane[i] = clamp((c.coefficients[i] * c.q[0] + 1028) >> 3);
                        }
                        c.coefficients = null;
                    }
                    return;
                }
                if (p + 4 > dataEnd) {
                    throw new CorruptDataException("JPEG ends in a marker segment (truncated)");
                }
                int start = p + 4;
                int end = p + 2 + u16(p + 2);
                if (end > dataEnd || end < start) {
                    throw new CorruptDataException("JPEG segment runs past the end of the file (truncated)");
                }
                switch (marker) {
                    case 0xC4 -> readHuffmanTables(start, end);
                    case 0xDB -> readQuantTables(start, end);
                    case 0xDD -> restartInterval = u16(start);
                    case 0xDA -> {
                        readScan(start, end);
                        nextScan = true;
                    }
                    default -> {
                        // APPn, COM, DNL: nothing to do
                    }
                }
                if (unsupported != null) {
                    throw new CorruptDataException(unsupported);
                }
                p = end;
            }
        }
    }

    /** One DC scan of a progressive JPEG: the first pass or a refinement by one bit. */
    private void decodeDcScan(int mcusX, int mcusY) throws CorruptDataException {
        boolean interleaved = scanComponents.length > 1;
        boolean first = approximationHigh == 0;
        int shift = approximationLow;
        Component only = scanComponents[0];
        int rows = interleaved ? mcusY : ceilDiv(ceilDiv(height * only.v, vMax), 8);
        int columns = interleaved ? mcusX : ceilDiv(ceilDiv(width * only.h, hMax), 8);
        for (Component c : scanComponents) {
            c.predictor = 0;
        }
        int mcusInInterval = 0;
        for (int row = 0; row < rows; row++) {
            for (int column = 0; column < columns; column++) {
                if (restartInterval > 0 && mcusInInterval == restartInterval) {
                    restart();
                    mcusInInterval = 0;
                }
                for (Component c : scanComponents) {
                    int blocksHigh = interleaved ? c.v : 1;
                    int blocksWide = interleaved ? c.h : 1;
                    for (int by = 0; by < blocksHigh; by++) {
                        for (int bx = 0; bx < blocksWide; bx++) {
                            int index = interleaved
                                    ? (row * c.v + by) * c.blocksWide + column * c.h + bx
                                    : row * c.blocksWide + column;
                            if (first) {
                                decodeDc(c);
                                c.coefficients[index] = c.predictor << shift;
                            } else {
                                if (bitCount < 32) {
                                    refill();
                                }
                                if (bits < 0) {
                                    c.coefficients[index] |= 1 << shift;
                                }
                                bits <<= 1;
                                bitCount--;
                            }
                        }
                    }
                }
                mcusInInterval++;
            }
            checkNotTruncated();
        }
    }

    /** Position of the next marker other than a restart marker, from p on; the end of the data if none. */
    private int nextMarker(int p) {
        byte[] data = this.data;
        int limit = dataEnd - 8;
        while (true) {
            while (p <= limit) {
                long window = (long) LONG_BIG_ENDIAN.get(data, p);
                if ((((~window - 0x0101010101010101L) & window & 0x8080808080808080L)) != 0) {
                    break;
                }
                p += 8; // no 0xFF among these eight bytes
            }
            int stop = Math.min(dataEnd - 1, p + 8);
            for (; p < stop; p++) {
                if ((data[p] & 0xFF) == 0xFF) {
                    int next = data[p + 1] & 0xFF;
                    if (next != 0 && next != 0xFF && (next < 0xD0 || next > 0xD7)) {
                        return p;
                    }
                    if (next != 0xFF) {
                        p++; // a stuffed zero or a restart marker
                    }
                }
            }
            if (p >= dataEnd - 1) {
                return dataEnd;
            }
        }
    }

    /** Reads the DC difference of the next block into the component's predictor. */
    private void decodeDc(Component c) throws CorruptDataException {
        if (bitCount < 32) {
            refill();
        }
        long bits = this.bits;
        int entry = c.dc.fast[(int) (bits >>> (64 - Huffman.LOOKAHEAD))];
        if (entry == 0) {
            entry = c.dc.slowDecode(bits);
            if (entry < 0) {
                throw new CorruptDataException("invalid Huffman code");
            }
        }
        int length = entry >>> 8;
        int size = entry & 0xFF;
        bits <<= length;
        int used = length;
        if (size != 0) {
            if (size > 15) {
                throw new CorruptDataException("bad DC coefficient");
            }
            int value = (int) (bits >>> (64 - size));
            bits <<= size;
            used += size;
            c.predictor += value < (1 << (size - 1)) ? value - (1 << size) + 1 : value;
        }
        this.bits = bits;
        this.bitCount -= used;
    }

    /**
     * Skips the AC terms of one block (1/8 scale). This is the hot loop of thumbnailing camera JPEGs: it mostly
     * takes several whole symbols per table lookup, keeps the bit buffer in locals and refills it inline.
     */
    private void skipAc(Component c) throws CorruptDataException {
        byte[] data = this.data;
        int limit = dataEnd - 8;
        int[] multi = c.acMulti;
        int[] single = c.ac.skip;
        long bits = this.bits;
        int count = this.bitCount;
        int p = this.pos;
        for (int i = 1; i < 64; ) {
            if (count < 32) {
                if (p <= limit && !atMarker) {
                    // four bytes by hand: C1 (the only compiler of one-shot runs) compiles a byte-array VarHandle
                    // read into a chain of calls
                    int word = (data[p] & 0xFF) << 24 | (data[p + 1] & 0xFF) << 16 | (data[p + 2] & 0xFF) << 8
                            | (data[p + 3] & 0xFF);
                    if (((~word - 0x01010101) & word & 0x80808080) == 0) { // no 0xFF byte among them
                        bits |= (word & 0xFFFFFFFFL) << (32 - count);
                        count += 32;
                        p += 4;
                    } else {
                        this.bits = bits;
                        this.bitCount = count;
                        this.pos = p;
                        fill();
                        bits = this.bits;
                        count = this.bitCount;
                        p = this.pos;
                    }
                } else {
                    this.bits = bits;
                    this.bitCount = count;
                    this.pos = p;
                    fill();
                    bits = this.bits;
                    count = this.bitCount;
                    p = this.pos;
                }
            }
            int several = multi[(int) (bits >>> (64 - Huffman.MULTI_BITS))];
            int covered = (several >>> 8) & 0xFF;
            if (several != 0 && i + covered <= 63) {
                // several whole symbols at once (never past the block's last coefficient)
                int shift = several & 31;
                bits <<= shift;
                count -= shift;
                if ((several & Huffman.MULTI_END_OF_BLOCK) != 0) {
                    break;
                }
                i += covered;
                continue;
            }
            int skip = single[(int) (bits >>> (64 - Huffman.LOOKAHEAD))];
            if (skip == 0) {
                int slow = c.ac.slowDecode(bits);
                if (slow < 0) {
                    throw new CorruptDataException("invalid Huffman code");
                }
                skip = Huffman.skipEntry(slow >>> 8, slow & 0xFF);
            }
            int shift = skip & 31;
            bits <<= shift;
            count -= shift;
            i += skip >>> 8;
        }
        this.bits = bits;
        this.bitCount = count;
        this.pos = p;
    }

    /** Adds the AC terms of one block into its k x k output samples (1/4 and 1/2 scale). */
    private void accumulateAc(Component c, float[] acc, int samples) throws CorruptDataException {
        int[] quickTable = c.ac.value;
        int[] fast = c.ac.fast;
        float[][] weights = c.weights;
        long bits = this.bits;
        int count = this.bitCount;
        for (int i = 1; i < 64; ) {
            if (count < 32) {
                this.bits = bits;
                this.bitCount = count;
                refill();
                bits = this.bits;
                count = this.bitCount;
            }
            int quick = quickTable[(int) (bits >>> (64 - Huffman.LOOKAHEAD))];
            int value;
            if (quick != 0) {
                // a short code and its value bits, decoded by one lookup
                int shift = quick & 0xFF;
                bits <<= shift;
                count -= shift;
                i += (quick >> 8) & 0xFF;
                value = quick >> 16;
            } else {
                int symbol = fast[(int) (bits >>> (64 - Huffman.LOOKAHEAD))];
                if (symbol == 0) {
                    symbol = c.ac.slowDecode(bits);
                    if (symbol < 0) {
                        throw new CorruptDataException("invalid Huffman code");
                    }
                }
                int codeLength = symbol >>> 8;
                int run = (symbol >> 4) & 15;
                int valueBits = symbol & 15;
                bits <<= codeLength;
                count -= codeLength;
                if (valueBits == 0) {
                    if (run != 15) {
                        break; // end of block
                    }
                    i += 16;
                    continue;
                }
                int raw = (int) (bits >>> (64 - valueBits));
                value = raw < (1 << (valueBits - 1)) ? raw - (1 << valueBits) + 1 : raw;
                bits <<= valueBits;
                count -= valueBits;
                i += run;
            }
            if (i > 63) {
                throw new CorruptDataException("AC coefficient index past 63");
            }
            float[] w = weights[i];
            if (w != null) {
                if (samples == 4) {
                    acc[0] += value * w[0];
                    acc[1] += value * w[1];
                    acc[2] += value * w[2];
                    acc[3] += value * w[3];
                } else {
                    for (int s = 0; s < samples; s++) {
                        acc[s] += value * w[s];
                    }
                }
            }
            i++;
        }
        this.bits = bits;
        this.bitCount = count;
    }

    /**
     * {@link #fill()} with the common case, four bytes without a 0xFF, done in one step (as in {@link #skipAc}).
     * Called with fewer than 32 bits in the buffer.
     */
    private void refill() {
        int p = pos;
        byte[] data = this.data;
        if (p <= dataEnd - 8 && !atMarker) {
            int word = (data[p] & 0xFF) << 24 | (data[p + 1] & 0xFF) << 16 | (data[p + 2] & 0xFF) << 8
                    | (data[p + 3] & 0xFF);
            if (((~word - 0x01010101) & word & 0x80808080) == 0) {
                bits |= (word & 0xFFFFFFFFL) << (32 - bitCount);
                bitCount += 32;
                pos = p + 4;
                return;
            }
        }
        fill();
    }

    /**
     * For each coefficient (in file order) its dequantised weight in each of the k x k output samples, or
     * {@code null} when it does not contribute to any of them (an even frequency averages out over a half
     * block).
     */
    private static float[][] weights(int k, int[] quant) {
        float[] m = BOX_IDCT[k];
        float[][] weights = new float[64][];
        for (int zz = 0; zz < 64; zz++) {
            int natural = ZIGZAG[zz];
            int v = natural >> 3;
            int u = natural & 7;
            float[] w = new float[k * k];
            boolean any = false;
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    float weight = m[i * 8 + v] * m[j * 8 + u] * quant[zz];
                    if (Math.abs(m[i * 8 + v] * m[j * 8 + u]) > 1e-6f) {
                        w[i * k + j] = weight;
                        any = true;
                    }
                }
            }
            weights[zz] = any || zz == 0 ? w : null;
        }
        return weights;
    }

    private static byte clamp(int value) {
        return (byte) (value < 0 ? 0 : Math.min(value, 255));
    }

    /** Tops the bit buffer up to at least 57 bits; past a marker or the end of the data it feeds zeros. */
    private void fill() {
        while (bitCount <= 56) {
            int b = 0;
            if (!atMarker && pos < dataEnd) {
                b = data[pos] & 0xFF;
                if (b == 0xFF) {
                    int next = pos + 1 < dataEnd ? data[pos + 1] & 0xFF : -1;
                    if (next == 0) {
                        pos += 2;
                    } else if (next == 0xFF) {
                        pos++; // fill byte before a marker
                        continue;
                    } else {
                        atMarker = true;
                        b = 0;
                        paddingBytes++;
                    }
                } else {
                    pos++;
                }
            } else {
                paddingBytes++;
            }
            bits |= ((long) b) << (56 - bitCount);
            bitCount += 8;
        }
    }

    /** Fails when bits past the end of the entropy-coded data were used: the file is truncated or corrupt. */
    private void checkNotTruncated() throws CorruptDataException {
        if (paddingBytes * 8 > bitCount) {
            throw new CorruptDataException("JPEG data ends early (truncated or corrupt)");
        }
    }

    private void restart() throws CorruptDataException {
        checkNotTruncated();
        bits = 0;
        bitCount = 0;
        paddingBytes = 0;
        // resynchronise on the next RSTn marker
        while (pos + 1 < dataEnd) {
            if ((data[pos] & 0xFF) == 0xFF) {
                int m = data[pos + 1] & 0xFF;
                if (m >= 0xD0 && m <= 0xD7) {
                    pos += 2;
                    atMarker = false;
                    for (Component c : scanComponents) {
                        c.predictor = 0;
                    }
                    return;
                }
                if (m != 0 && m != 0xFF) {
                    break;
                }
            }
            pos++;
        }
        throw new CorruptDataException("missing restart marker (truncated or corrupt)");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Colour conversion

    /**
     * The image at k/(8 x group) from planes of k x k samples per block (k is 1 when group is over 1). A plane
     * finer than the output (at 1/16 luma, at 1/32 also chroma subsampled by 2) is averaged in groups first; one
     * coarser than the output is interpolated as usual.
     */
    private BufferedImage imageAt(int k, int group) {
        for (Component c : components) {
            int sx = hMax / c.h;
            int sy = vMax / c.v;
            int gx = Math.max(1, group / sx);
            int gy = Math.max(1, group / sy);
            if (gx > 1 || gy > 1) {
                averagePlane(c, gx, gy);
            }
            c.stepX = sx * gx / group;
            c.stepY = sy * gy / group;
        }
        return toImage(ceilDiv(width * k, 8 * group), ceilDiv(height * k, 8 * group));
    }

    /**
     * Replaces the plane by the averages of its gx x gy groups of samples: the same box filter that a resize
     * halving the image would apply, done on one plane of bytes instead of on colour pixels. Only samples of
     * blocks inside the image count (the padding blocks of the last MCU hold no picture).
     */
    private void averagePlane(Component c, int gx, int gy) {
        int validWide = ceilDiv(ceilDiv(width * c.h, hMax), 8);
        int validHigh = ceilDiv(ceilDiv(height * c.v, vMax), 8);
        int wide = ceilDiv(validWide, gx);
        int high = ceilDiv(validHigh, gy);
        byte[] plane = c.plane;
        int stride = c.planeStride;
        byte[] averaged = new byte[wide * high];
        int[] sums = new int[wide];
        for (int y = 0; y < high; y++) {
            Arrays.fill(sums, 0);
            int rows = Math.min(gy, validHigh - y * gy);
            for (int r = 0; r < rows; r++) {
                int row = (y * gy + r) * stride;
                int rowEnd = row + validWide;
                for (int x = 0, from = row; x < wide; x++) {
                    int end = Math.min(from + gx, rowEnd);
                    int sum = 0;
                    for (int i = from; i < end; i++) {
                        sum += plane[i] & 0xFF;
                    }
                    sums[x] += sum;
                    from = end;
                }
            }
            for (int x = 0; x < wide; x++) {
                int count = rows * Math.min(gx, validWide - x * gx);
                averaged[y * wide + x] = (byte) ((sums[x] + count / 2) / count);
            }
        }
        c.plane = averaged;
        c.planeStride = wide;
    }

    private BufferedImage toImage(int outWidth, int outHeight) {
        if (components.length == 1) {
            BufferedImage image = new BufferedImage(outWidth, outHeight, BufferedImage.TYPE_BYTE_GRAY);
            byte[] out = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
            Component c = components[0];
            for (int y = 0; y < outHeight; y++) {
                System.arraycopy(c.plane, y * c.planeStride, out, y * outWidth, outWidth);
            }
            return image;
        }
        BufferedImage image = new BufferedImage(outWidth, outHeight, BufferedImage.TYPE_INT_RGB);
        int[] out = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        Component c0 = components[0];
        Component c1 = components[1];
        Component c2 = components[2];
        // as libjpeg decides: JFIF means YCbCr, then the Adobe transform flag, then component ids 'R', 'G', 'B'
        boolean rgb = !jfif && (adobeTransform == 0 || (adobeTransform < 0 && c0.id == 'R' && c1.id == 'G'
                && c2.id == 'B'));
        byte[] p0 = upsample(c0, outWidth, outHeight);
        byte[] p1 = upsample(c1, outWidth, outHeight);
        byte[] p2 = upsample(c2, outWidth, outHeight);
        for (int y = 0; y < outHeight; y++) {
            if (rgb) {
                for (int i = y * outWidth; i < (y + 1) * outWidth; i++) {
                    out[i] = (p0[i] & 0xFF) << 16 | (p1[i] & 0xFF) << 8 | (p2[i] & 0xFF);
                }
            } else {
                convertRow(p0, p1, p2, out, y * outWidth, (y + 1) * outWidth);
            }
        }
        return image;
    }

    private static void convertRow(byte[] luma, byte[] cb, byte[] cr, int[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            int y = luma[i] & 0xFF;
            int b = cb[i] & 0xFF;
            int r = cr[i] & 0xFF;
            int red = y + (CR_R[r] >> 16);
            int green = y + ((CB_G[b] + CR_G[r]) >> 16);
            int blue = y + (CB_B[b] >> 16);
            out[i] = (clampInt(red) << 16) | (clampInt(green) << 8) | clampInt(blue);
        }
    }

    /**
     * The component plane at the output size. Subsampled (chroma) planes are interpolated linearly between
     * sample centres, like libjpeg's "fancy" upsampling, rather than repeated, which would leave blocky colour
     * edges.
     */
    private byte[] upsample(Component c, int outWidth, int outHeight) {
        int sx = c.stepX;
        int sy = c.stepY;
        byte[] plane = c.plane;
        int stride = c.planeStride;
        byte[] out = new byte[outWidth * outHeight];
        if (sx == 1 && sy == 1) {
            for (int y = 0; y < outHeight; y++) {
                System.arraycopy(plane, y * stride, out, y * outWidth, outWidth);
            }
            return out;
        }
        int planeWidth = ceilDiv(outWidth, sx);
        int planeHeight = ceilDiv(outHeight, sy);
        int[] x0 = new int[outWidth];
        int[] x1 = new int[outWidth];
        int[] fx = new int[outWidth];
        axis(outWidth, sx, planeWidth, x0, x1, fx);
        int[] y0 = new int[outHeight];
        int[] y1 = new int[outHeight];
        int[] fy = new int[outHeight];
        axis(outHeight, sy, planeHeight, y0, y1, fy);
        for (int y = 0; y < outHeight; y++) {
            interpolateRow(plane, y0[y] * stride, y1[y] * stride, fy[y], x0, x1, fx, out, y * outWidth, outWidth);
        }
        return out;
    }

    private static void interpolateRow(byte[] plane, int r0, int r1, int wy, int[] x0, int[] x1, int[] fx,
                                       byte[] out, int o, int width) {
        for (int x = 0; x < width; x++) {
            int wx = fx[x];
            int top = (plane[r0 + x0[x]] & 0xFF) * (256 - wx) + (plane[r0 + x1[x]] & 0xFF) * wx;
            int bottom = (plane[r1 + x0[x]] & 0xFF) * (256 - wx) + (plane[r1 + x1[x]] & 0xFF) * wx;
            out[o + x] = (byte) ((top * (256 - wy) + bottom * wy + 32768) >> 16);
        }
    }

    /** Neighbouring plane samples and the weight (0-256) of the second for each output position. */
    private static void axis(int outSize, int step, int planeSize, int[] first, int[] second, int[] weight) {
        for (int i = 0; i < outSize; i++) {
            double centre = (i + 0.5) / step - 0.5;
            int lower = (int) Math.floor(centre);
            int fraction = (int) Math.round((centre - lower) * 256);
            if (lower < 0) {
                lower = 0;
                fraction = 0;
            }
            if (lower >= planeSize - 1) {
                lower = planeSize - 1;
                fraction = 0;
            }
            first[i] = lower;
            second[i] = Math.min(lower + 1, planeSize - 1);
            weight[i] = fraction;
        }
    }

    private static int clampInt(int value) {
        return value < 0 ? 0 : Math.min(value, 255);
    }

    // ---------------------------------------------------------------------------------------------------------

    private int u16(int p) {
        return ((data[p] & 0xFF) << 8) | (data[p + 1] & 0xFF);
    }

    private boolean startsWith(int start, int end, String prefix) {
        if (end - start < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if ((data[start + i] & 0xFF) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static final class Component {
        int id;
        int h;
        int v;
        int tq;
        Huffman dc;
        Huffman ac;
        int[] q;
        int predictor;
        float[][] weights;
        int[] acMulti;
        /** DC coefficients of a progressive JPEG, collected over its DC scans. */
        int[] coefficients;
        int blocksWide;
        int blocksHigh;
        int planeStride;
        byte[] plane;
        /** Output pixels per plane sample across and down: 1, or the subsampling still to be interpolated. */
        int stepX;
        int stepY;
    }

    /** A Huffman table with a 9-bit lookahead for the common short codes. */
    private static final class Huffman {
        static final int LOOKAHEAD = 10;
        /** (length << 8) | symbol for codes of at most 10 bits, indexed by the next 10 bits; 0 when longer. */
        final int[] fast = new int[1 << LOOKAHEAD];
        /**
         * For AC tables when only the DC term is wanted: {@code (codeLength + valueBits) | (advance << 8)}, where
         * advance is how many coefficients the symbol covers (64 for end-of-block); 0 for longer codes.
         */
        final int[] skip = new int[1 << LOOKAHEAD];
        /**
         * For AC tables, codes whose value bits also fit in the lookahead:
         * {@code (value << 16) | (run << 8) | (codeLength + valueBits)}; 0 otherwise (and for end-of-block and
         * zero-run symbols).
         */
        final int[] value = new int[1 << LOOKAHEAD];
        final int[] maxCode = new int[18];
        final int[] valueOffset = new int[17];
        final int[] values;

        private Huffman(int[] values) {
            this.values = values;
        }

        static Huffman build(int[] counts, int[] values) {
            Huffman table = new Huffman(values);
            int code = 0;
            int index = 0;
            for (int length = 1; length <= 16; length++) {
                table.valueOffset[length] = index - code;
                for (int i = 0; i < counts[length]; i++) {
                    if (code >= (1 << length)) {
                        return null;
                    }
                    if (length <= LOOKAHEAD) {
                        int shift = LOOKAHEAD - length;
                        int base = code << shift;
                        int skip = skipEntry(length, values[index]);
                        int size = values[index] & 15;
                        int run = values[index] >> 4;
                        for (int suffix = 0; suffix < (1 << shift); suffix++) {
                            table.fast[base | suffix] = (length << 8) | values[index];
                            table.skip[base | suffix] = skip;
                            if (size != 0 && length + size <= LOOKAHEAD) {
                                int raw = (suffix >> (shift - size)) & ((1 << size) - 1);
                                int v = raw < (1 << (size - 1)) ? raw - (1 << size) + 1 : raw;
                                table.value[base | suffix] = (v << 16) | (run << 8) | (length + size);
                            }
                        }
                    }
                    code++;
                    index++;
                }
                table.maxCode[length] = counts[length] == 0 ? -1 : code - 1;
                code <<= 1;
            }
            table.maxCode[17] = Integer.MAX_VALUE;
            return table;
        }

        static final int MULTI_BITS = 13;
        static final int MULTI_END_OF_BLOCK = 1 << 16;
        private volatile int[] multi;

        /**
         * Tables already built, by their definition: most encoders use the same few (the example tables of the JPEG
         * standard, or one set per camera model), and building the lookup tables costs more than a small image.
         * Built tables are immutable, so they are shared between threads.
         */
        private static final Map<String, Huffman> CACHE = new ConcurrentHashMap<>();
        private static final int CACHE_LIMIT = 256;

        static Huffman cached(byte[] data, int offset, int length) {
            return CACHE.get(new String(data, offset, length, StandardCharsets.ISO_8859_1));
        }

        static void remember(byte[] data, int offset, int length, Huffman table) {
            if (CACHE.size() >= CACHE_LIMIT) {
                CACHE.clear();
            }
            CACHE.put(new String(data, offset, length, StandardCharsets.ISO_8859_1), table);
        }

        /**
         * For skipping AC terms several symbols at a time: indexed by the next 13 bits, the bits taken by as many
         * whole symbols (code and value) as fit, {@code | coefficientsCovered << 8}, with
         * {@link #MULTI_END_OF_BLOCK} when the last of them ends the block; 0 when not even one fits.
         */
        int[] multiSkip() {
            int[] multi = this.multi;
            if (multi == null) {
                int[] table = new int[1 << MULTI_BITS];
                for (int window = 0; window < table.length; window++) {
                    int used = 0;
                    int covered = 0;
                    boolean end = false;
                    while (!end && used < MULTI_BITS) {
                        int rest = MULTI_BITS - used;
                        int peek = rest >= LOOKAHEAD ? (window >>> (rest - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)
                                : (window << (LOOKAHEAD - rest)) & ((1 << LOOKAHEAD) - 1);
                        int entry = fast[peek];
                        if (entry == 0) {
                            break;
                        }
                        int length = entry >>> 8;
                        int symbol = entry & 0xFF;
                        int size = symbol & 15;
                        if (length + size > rest) {
                            break;
                        }
                        used += length + size;
                        if (size == 0 && (symbol >> 4) != 15) {
                            end = true;
                        } else {
                            covered += size == 0 ? 16 : (symbol >> 4) + 1;
                        }
                    }
                    table[window] = used == 0 || covered > 255 ? 0
                            : used | covered << 8 | (end ? MULTI_END_OF_BLOCK : 0);
                }
                multi = table;
                this.multi = table; // racing threads build equal tables; either may win
            }
            return multi;
        }

        static int skipEntry(int length, int symbol) {
            int size = symbol & 15;
            int run = symbol >> 4;
            int advance = size == 0 ? (run == 15 ? 16 : 64) : run + 1;
            return (length + size) | (advance << 8);
        }

        /** The symbol of a code longer than the lookahead, as {@code (length << 8) | symbol}, or -1. */
        int slowDecode(long bits) {
            for (int length = LOOKAHEAD + 1; length <= 16; length++) {
                int code = (int) (bits >>> (64 - length));
                if (code <= maxCode[length]) {
                    return (length << 8) | values[valueOffset[length] + code];
                }
            }
            return -1;
        }
    }
}
