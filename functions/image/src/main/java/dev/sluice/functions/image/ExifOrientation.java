package dev.sluice.functions.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.imageio.stream.ImageInputStream;

/**
 * Finds the EXIF orientation (1-8) of an image without decoding it: in a TIFF header (EXIF blob or a TIFF file),
 * a PNG {@code eXIf} chunk or ImageMagick's "Raw profile type exif" text chunk, and a WebP {@code EXIF} chunk.
 * JPEG APP1 segments are read by {@link JpegReducedDecoder}. Malformed metadata yields 1 (as stored), never an
 * error: a damaged EXIF block must not make an otherwise good image fail.
 */
final class ExifOrientation {
    static final int TAG_ORIENTATION = 0x0112;
    /** Text chunks and EXIF blobs beyond this are not metadata we want to read. */
    private static final int MAX_METADATA_BYTES = 1 << 20;
    private static final int MAX_CHUNKS = 1_000_000;

    private ExifOrientation() {
    }

    /** Orientation in a TIFF-structured blob (optionally prefixed with {@code Exif\0\0}). */
    static int fromTiff(byte[] blob) {
        int base = 0;
        if (blob.length >= 6 && blob[0] == 'E' && blob[1] == 'x' && blob[2] == 'i' && blob[3] == 'f') {
            base = 6;
        }
        if (blob.length < base + 8) {
            return 1;
        }
        boolean little;
        if (blob[base] == 'I' && blob[base + 1] == 'I') {
            little = true;
        } else if (blob[base] == 'M' && blob[base + 1] == 'M') {
            little = false;
        } else {
            return 1;
        }
        long ifd = u32(blob, base + 4, little);
        if (ifd < 8 || base + ifd + 2 > blob.length) {
            return 1;
        }
        int p = (int) (base + ifd);
        int entries = u16(blob, p, little);
        p += 2;
        for (int i = 0; i < entries && p + 12 <= blob.length; i++, p += 12) {
            if (u16(blob, p, little) == TAG_ORIENTATION) {
                int type = u16(blob, p + 2, little);
                int value = type == 3 ? u16(blob, p + 8, little) : type == 4 ? (int) u32(blob, p + 8, little) : 0;
                return valid(value);
            }
        }
        return 1;
    }

    /** Orientation of the first page of a TIFF file. */
    static int fromTiffFile(ImageInputStream in) throws IOException {
        in.seek(0);
        byte[] header = new byte[8];
        in.readFully(header);
        boolean little = header[0] == 'I';
        long ifd = u32(header, 4, little);
        long length = in.length();
        if (ifd < 8 || (length >= 0 && ifd + 2 > length)) {
            return 1;
        }
        in.seek(ifd);
        byte[] count = new byte[2];
        in.readFully(count);
        int entries = Math.min(u16(count, 0, little), 4096);
        byte[] table = new byte[entries * 12];
        int read = in.read(table);
        for (int p = 0; p + 12 <= read; p += 12) {
            if (u16(table, p, little) == TAG_ORIENTATION) {
                int type = u16(table, p + 2, little);
                return valid(type == 3 ? u16(table, p + 8, little) : 0);
            }
        }
        return 1;
    }

    /**
     * Orientation in a PNG's {@code eXIf} chunk or ImageMagick raw-profile text chunk. Walks every chunk up to
     * {@code IEND} and checks the CRC of the critical ones, which the JDK's PNG reader does not do.
     *
     * @throws IOException when a chunk runs past the end of the file or a critical chunk is damaged
     */
    static int fromPng(ImageInputStream in) throws IOException {
        in.seek(8);
        long length = in.length();
        byte[] head = new byte[8];
        byte[] buffer = new byte[64 * 1024];
        int orientation = 0;
        for (int chunks = 0; chunks < MAX_CHUNKS; chunks++) {
            if (in.read(head) < 8) {
                break; // no IEND: tolerated when the image data is complete, as libpng does
            }
            long size = u32(head, 0, false);
            String type = new String(head, 4, 4, StandardCharsets.ISO_8859_1);
            long dataStart = in.getStreamPosition();
            if (length >= 0 && dataStart + size + 4 > length) {
                // Checked here because the JDK's PNG reader allocates a chunk's declared length up front.
                throw new IOException("PNG chunk '" + type.replaceAll("[^A-Za-z]", "?") + "' declares " + size
                        + " bytes but the file ends before that: it is truncated or corrupt");
            }
            boolean critical = Character.isUpperCase(type.charAt(0));
            boolean metadata = size <= MAX_METADATA_BYTES && orientation == 0 && (type.equals("eXIf")
                    || type.equals("tEXt") || type.equals("zTXt") || type.equals("iTXt"));
            if (critical || metadata) {
                CRC32 crc = new CRC32();
                crc.update(head, 4, 4);
                byte[] content = metadata ? new byte[(int) size] : null;
                long remaining = size;
                int offset = 0;
                while (remaining > 0) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                    if (n < 0) {
                        throw new IOException("PNG chunk '" + type + "' is cut short: the file is truncated");
                    }
                    crc.update(buffer, 0, n);
                    if (content != null) {
                        System.arraycopy(buffer, 0, content, offset, n);
                    }
                    offset += n;
                    remaining -= n;
                }
                long expected = in.readInt() & 0xFFFFFFFFL;
                boolean intact = crc.getValue() == expected;
                if (critical && !intact) {
                    throw new IOException("PNG chunk '" + type.replaceAll("[^A-Za-z]", "?")
                            + "' fails its CRC check: the file is corrupt");
                }
                if (metadata && intact) {
                    Integer found = type.equals("eXIf") ? Integer.valueOf(fromTiff(content))
                            : fromRawProfile(type, content);
                    if (found != null) {
                        orientation = found;
                    }
                }
            } else {
                in.seek(dataStart + size + 4);
            }
            if (type.equals("IEND")) {
                break;
            }
        }
        return orientation == 0 ? 1 : orientation;
    }

    /** Orientation in a WebP's {@code EXIF} chunk (extended format only). */
    static int fromWebp(ImageInputStream in) throws IOException {
        in.seek(12);
        long length = in.length();
        byte[] head = new byte[8];
        for (int chunks = 0; chunks < 1024; chunks++) {
            if (in.read(head) < 8) {
                return 1;
            }
            long size = u32(head, 4, true);
            String type = new String(head, 0, 4, StandardCharsets.ISO_8859_1);
            long dataStart = in.getStreamPosition();
            if (length >= 0 && dataStart + size > length) {
                return 1;
            }
            if (type.equals("EXIF") && size <= MAX_METADATA_BYTES) {
                return fromTiff(readBytes(in, (int) size));
            }
            in.seek(dataStart + size + (size & 1));
        }
        return 1;
    }

    /** ImageMagick stores EXIF as hex text: "\nexif\n    1234\n4578..." under "Raw profile type exif" or "APP1". */
    private static Integer fromRawProfile(String type, byte[] chunk) {
        int nul = indexOf(chunk, 0, (byte) 0);
        if (nul < 0) {
            return null;
        }
        String keyword = new String(chunk, 0, nul, StandardCharsets.ISO_8859_1);
        if (!keyword.equals("Raw profile type exif") && !keyword.equals("Raw profile type APP1")) {
            return null;
        }
        byte[] text;
        if (type.equals("tEXt")) {
            text = java.util.Arrays.copyOfRange(chunk, nul + 1, chunk.length);
        } else if (type.equals("zTXt")) {
            text = inflate(chunk, nul + 2);
        } else {
            // iTXt: keyword\0 flag method language\0 translated\0 text
            if (nul + 3 > chunk.length) {
                return null;
            }
            boolean compressed = chunk[nul + 1] != 0;
            int p = indexOf(chunk, nul + 3, (byte) 0);
            p = p < 0 ? -1 : indexOf(chunk, p + 1, (byte) 0);
            if (p < 0) {
                return null;
            }
            text = compressed ? inflate(chunk, p + 1) : java.util.Arrays.copyOfRange(chunk, p + 1, chunk.length);
        }
        if (text == null) {
            return null;
        }
        String s = new String(text, StandardCharsets.ISO_8859_1).trim();
        String[] lines = s.split("\n", 3);
        if (lines.length < 3) {
            return null;
        }
        String hex = lines[2].replaceAll("[^0-9a-fA-F]", "");
        byte[] blob = new byte[Math.min(hex.length() / 2, MAX_METADATA_BYTES)];
        for (int i = 0; i < blob.length; i++) {
            blob[i] = (byte) Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
        }
        return fromTiff(blob);
    }

    /** Inflates at most {@link #MAX_METADATA_BYTES}: a text chunk can be a zlib bomb. */
    private static byte[] inflate(byte[] data, int offset) {
        if (offset >= data.length) {
            return null;
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data, offset, data.length - offset);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished() && out.size() < MAX_METADATA_BYTES) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
    }

    private static byte[] readBytes(ImageInputStream in, int size) throws IOException {
        byte[] bytes = new byte[size];
        in.readFully(bytes);
        return bytes;
    }

    private static int indexOf(byte[] data, int from, byte value) {
        for (int i = Math.max(0, from); i < data.length; i++) {
            if (data[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static int valid(int value) {
        return value >= 1 && value <= 8 ? value : 1;
    }

    private static int u16(byte[] b, int p, boolean little) {
        return little ? (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 : (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
    }

    private static long u32(byte[] b, int p, boolean little) {
        long value = little
                ? (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (long) (b[p + 3] & 0xFF) << 24
                : (long) (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
        return value & 0xFFFFFFFFL;
    }
}
