package dev.sluice.functions.image;

import dev.sluice.core.BadInputException;
import dev.sluice.core.LimitExceededException;
import dev.sluice.core.SluiceException;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.SoftReference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadProgressListener;
import javax.imageio.stream.ImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an image file at the smallest scale that still serves the requested thumbnails, after checking its
 * declared size against the pixel limit. Baseline JPEGs are decoded in the DCT domain by
 * {@link JpegReducedDecoder}; everything else goes through ImageIO (with TwelveMonkeys plugins) with source
 * subsampling. Every decoding failure becomes a {@link BadInputException} that names the file and the problem.
 */
final class ImageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);
    /** JPEGs up to this size are read into memory for the fast decoder; larger ones stream through ImageIO. */
    private static final long MAX_IN_MEMORY_JPEG = 256L << 20;

    /** Decides how much resolution the thumbnails need once the stored size and orientation are known. */
    interface ScalePlanner {
        /** The smallest acceptable decoded size as a fraction (0 to 1] of the stored size. */
        double requiredScale(int storedWidth, int storedHeight, int orientation);
    }

    /**
     * A decoded image in stored orientation, possibly at reduced scale.
     *
     * @param image        {@code TYPE_INT_RGB}, {@code TYPE_INT_ARGB} or {@code TYPE_BYTE_GRAY}, in sRGB
     * @param sourceWidth  stored width of the full-size image
     * @param sourceHeight stored height of the full-size image
     * @param orientation  EXIF orientation, 1-8
     */
    record Decoded(BufferedImage image, int sourceWidth, int sourceHeight, int orientation, ImageFormat format) {
    }

    static {
        ImagePlugins.ensureRegistered();
    }

    private ImageDecoder() {
    }

    static Decoded decode(Path file, String name, long maxPixels, ScalePlanner planner, BooleanSupplier cancelled)
            throws IOException {
        long size = Files.size(file);
        if (size == 0) {
            throw new BadInputException("'" + name + "' is empty (0 bytes); upload the image again.");
        }
        byte[] head = new byte[32];
        int headLength;
        try (InputStream in = Files.newInputStream(file)) {
            headLength = in.readNBytes(head, 0, head.length);
        }
        ImageFormat format = ImageFormat.sniff(head, headLength);
        if (!format.readable()) {
            throw new BadInputException("'" + name + "' is " + (format == ImageFormat.UNKNOWN
                    ? "not an image format thumbnail can read" : "a " + format.displayName()
                    + " file, which thumbnail cannot read") + "; it reads " + ImageFormat.SUPPORTED
                    + ". Convert the file to one of those first.");
        }
        int orientation = 1;
        if (format == ImageFormat.JPEG && size > MAX_IN_MEMORY_JPEG) {
            // too large to hold: take the orientation from the segments at the start, decode with ImageIO
            byte[] start;
            try (InputStream in = Files.newInputStream(file)) {
                start = in.readNBytes(1 << 20);
            }
            orientation = JpegReducedDecoder.read(start).orientation();
        } else if (format == ImageFormat.JPEG) {
            JpegReducedDecoder jpeg = readJpeg(file, size);
            orientation = jpeg.orientation();
            if (jpeg.width() > 0 && jpeg.height() > 0) {
                checkLimit(name, format, jpeg.width(), jpeg.height(), maxPixels);
            }
            if (jpeg.unsupportedReason() == null) {
                double scale = planner.requiredScale(jpeg.width(), jpeg.height(), orientation);
                int denominator = jpegDenominator(scale);
                while (denominator > 8 && !jpeg.supports(denominator)) {
                    denominator /= 2;
                }
                if (denominator > 1 && jpeg.supports(denominator)) {
                    try {
                        BufferedImage image = jpeg.decode(denominator, cancelled);
                        checkCancelled(cancelled, name);
                        image = toSrgb(image, jpeg.iccProfile());
                        return new Decoded(image, jpeg.width(), jpeg.height(), orientation, format);
                    } catch (JpegReducedDecoder.CorruptDataException e) {
                        checkCancelled(cancelled, name);
                        LOG.debug("Fast JPEG decode of {} failed ({}); trying ImageIO", name, e.getMessage());
                    } catch (RuntimeException e) {
                        // a defect in the fast decoder must never fail an image that ImageIO can read
                        LOG.warn("Fast JPEG decode of {} failed unexpectedly; trying ImageIO", name, e);
                    }
                }
            } else {
                LOG.debug("{}: {}; decoding with ImageIO", name, jpeg.unsupportedReason());
            }
        }
        if (format == ImageFormat.GIF && headLength >= 10) {
            // Viewers paint frames onto the logical screen, so its declared size counts too.
            checkLimit(name, format, (head[6] & 0xFF) | (head[7] & 0xFF) << 8,
                    (head[8] & 0xFF) | (head[9] & 0xFF) << 8, maxPixels, true);
        }
        return decodeWithImageIo(file, name, format, orientation, maxPixels, planner, cancelled);
    }

    /**
     * Buffers for the bytes of JPEGs, one per thread: a camera photo is several MB, and a new array for each would
     * be zeroed and paged in again (about 3% of the CPU of thumbnailing it at 1/8). Held softly, so memory
     * pressure frees them, and only up to {@link #REUSED_BUFFER_LIMIT}; larger files get an array of their own.
     */
    private static final ThreadLocal<SoftReference<byte[]>> JPEG_BUFFER = new ThreadLocal<>();
    static final int REUSED_BUFFER_LIMIT = 32 << 20;

    /** Reads a JPEG of {@code size} bytes (at most) into this thread's buffer and its markers from there. */
    private static JpegReducedDecoder readJpeg(Path file, long size) throws IOException {
        byte[] buffer = size <= REUSED_BUFFER_LIMIT ? reusedBuffer((int) size) : new byte[(int) size];
        ByteBuffer target = ByteBuffer.wrap(buffer, 0, (int) size);
        try (FileChannel channel = FileChannel.open(file)) {
            while (target.hasRemaining() && channel.read(target) >= 0) {
                // a file that shrank since its size was taken ends the loop at end of file
            }
        }
        return JpegReducedDecoder.read(buffer, target.position());
    }

    private static byte[] reusedBuffer(int size) {
        SoftReference<byte[]> held = JPEG_BUFFER.get();
        byte[] buffer = held == null ? null : held.get();
        if (buffer == null || buffer.length < size) {
            buffer = new byte[size];
            JPEG_BUFFER.set(new SoftReference<>(buffer));
        }
        return buffer;
    }

    /**
     * The reduced JPEG decode for a required scale: 1/2, 1/4 or 1/8 when the decoded image keeps that much of
     * the size, else 1 (full). Past 1/8 the decoder averages the 1/8 samples in 2x2 or 4x4 groups, a box filter
     * like the halvings the resize makes anyway when the image is over twice the size it must become: so 1/16
     * and 1/32 are taken as long as the decoded image stays at least the size of the largest output.
     */
    static int jpegDenominator(double requiredScale) {
        if (requiredScale > 0.125) {
            return requiredScale <= 0.25 ? 4 : requiredScale <= 0.5 ? 2 : 1;
        }
        double outputScale = requiredScale / ThumbnailPlan.HEADROOM;
        int denominator = 8;
        while (denominator < 32 && 1.0 / (2 * denominator) >= outputScale) {
            denominator *= 2;
        }
        return denominator;
    }

    private static Decoded decodeWithImageIo(Path file, String name, ImageFormat format, int jpegOrientation,
                                             long maxPixels, ScalePlanner planner, BooleanSupplier cancelled)
            throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IOException("no ImageIO input stream for " + file);
            }
            int orientation = switch (format) {
                case JPEG -> jpegOrientation;
                case PNG -> ExifOrientation.fromPng(in);
                case WEBP -> ExifOrientation.fromWebp(in);
                case TIFF -> ExifOrientation.fromTiffFile(in);
                default -> 1;
            };
            in.seek(0);
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new BadInputException("'" + name + "' looks like " + format.displayName()
                        + " but no decoder accepts it: the file is corrupt or uses an unsupported variant.");
            }
            ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                in.seek(0);
                reader.setInput(in, true, true);
                int width;
                int height;
                try {
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (IndexOutOfBoundsException e) {
                    throw new BadInputException("'" + name + "' is a " + format.displayName()
                            + " file without any image in it (no frame or page): there is nothing to thumbnail.");
                }
                checkLimit(name, format, width, height, maxPixels);
                double scale = planner.requiredScale(width, height, orientation);
                int step = Math.max(1, (int) Math.floor(1 / scale));
                ImageReadParam param = reader.getDefaultReadParam();
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                reader.addIIOReadProgressListener(new AbortWhenCancelled(reader, cancelled));
                BufferedImage image = reader.read(0, param);
                checkCancelled(cancelled, name);
                for (String warning : warnings) {
                    String lower = warning.toLowerCase(Locale.ROOT);
                    if (lower.contains("truncated") || lower.contains("premature end")) {
                        throw new BadInputException("'" + name + "' is a truncated " + format.displayName()
                                + " file (" + warning + "); upload the complete file.");
                    }
                    LOG.debug("{}: {}", name, warning);
                }
                if (image == null) {
                    throw new BadInputException("'" + name + "' could not be decoded as " + format.displayName());
                }
                return new Decoded(StandardPixels.of(image), width, height, orientation, format);
            } finally {
                reader.dispose();
            }
        } catch (SluiceException e) {
            throw e;
        } catch (IIOException | RuntimeException e) {
            // decoders report hostile input in many ways: IIOException, index and size errors, CMM errors...
            throw corrupt(name, format, e);
        } catch (IOException e) {
            if (Files.exists(file)) {
                throw corrupt(name, format, e);
            }
            throw e;
        } catch (OutOfMemoryError e) {
            // One oversized allocation driven by a forged header; the memory is free again once we leave.
            throw new BadInputException("'" + name + "' needs more memory to decode than is available: its "
                    + format.displayName() + " data declares structures far larger than the image. The file is"
                    + " corrupt or hostile.", e);
        }
    }

    private static BadInputException corrupt(String name, ImageFormat format, Exception e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (detail.contains("arithmetic coding")) {
            // libjpeg's words when built without arithmetic decoding: the JDK's own copy (Temurin and other
            // Oracle-based builds); Debian's and Ubuntu's OpenJDK use the system's libjpeg-turbo, which has it
            return new BadInputException("'" + name + "' is an arithmetic-coded JPEG, which the JPEG decoder of this "
                    + "Java runtime cannot read. Re-encode it with Huffman coding (jpegtran -copy all in.jpg > "
                    + "out.jpg), or run Sluice on a JDK that uses the system's libjpeg-turbo (Debian's or Ubuntu's "
                    + "OpenJDK).", e);
        }
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !detail.contains(cause.getMessage())) {
            detail += ": " + cause.getMessage();
        }
        return new BadInputException("'" + name + "' could not be decoded as " + format.displayName()
                + ": the file is corrupt, truncated or uses an unsupported variant (" + detail + ").", e);
    }

    static void checkLimit(String name, ImageFormat format, int width, int height, long maxPixels) {
        checkLimit(name, format, width, height, maxPixels, false);
    }

    private static void checkLimit(String name, ImageFormat format, int width, int height, long maxPixels,
                                   boolean canvasOnly) {
        if (width <= 0 || height <= 0) {
            if (canvasOnly) {
                return; // a zero logical screen is tolerated; the frame size is checked next
            }
            throw new BadInputException("'" + name + "' declares an empty image size (" + width + "x" + height
                    + "); the " + format.displayName() + " file is corrupt.");
        }
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new LimitExceededException("'" + name + "' " + (canvasOnly ? "declares a canvas of " : "is ") + width + "x" + height + " ("
                    + megapixels(pixels) + " megapixels), over the limit of " + megapixels(maxPixels)
                    + " megapixels. Raise the thumbnail parameter max-pixels if such images are expected;"
                    + " it was refused before decoding.");
        }
    }

    private static String megapixels(long pixels) {
        return String.format(Locale.ROOT, pixels >= 10_000_000 ? "%.0f" : "%.1f", pixels / 1e6);
    }

    private static void checkCancelled(BooleanSupplier cancelled, String name) {
        if (cancelled.getAsBoolean()) {
            throw new SluiceException("Decoding '" + name + "' was stopped: the invocation deadline passed or it"
                    + " was cancelled.");
        }
    }

    /** Converts to sRGB when the JPEG embeds an ICC profile for another RGB space (Adobe RGB, Display P3...). */
    private static BufferedImage toSrgb(BufferedImage image, byte[] profile) {
        if (profile == null || image.getType() != BufferedImage.TYPE_INT_RGB || describesSrgb(profile)) {
            return image;
        }
        try {
            ICC_Profile icc = ICC_Profile.getInstance(profile);
            if (icc.getColorSpaceType() != ColorSpace.TYPE_RGB) {
                return image;
            }
            ColorConvertOp op = new ColorConvertOp(new ICC_ColorSpace(icc),
                    ColorSpace.getInstance(ColorSpace.CS_sRGB), null);
            BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
            op.filter(image.getRaster(), out.getRaster());
            return out;
        } catch (RuntimeException e) {
            LOG.debug("Ignoring unusable ICC profile: {}", e.toString());
            return image;
        }
    }

    /** True for the common sRGB profiles, which need no conversion; judged by the profile's description. */
    private static boolean describesSrgb(byte[] profile) {
        String text = new String(profile, 0, Math.min(profile.length, 4096), StandardCharsets.ISO_8859_1);
        int desc = text.indexOf("desc");
        return desc >= 0 && (text.contains("sRGB") || text.contains("s\0R\0G\0B"));
    }

    /** Stops a running ImageIO decode when the invocation is cancelled or past its deadline. */
    private record AbortWhenCancelled(ImageReader reader, BooleanSupplier cancelled) implements IIOReadProgressListener {
        @Override
        public void imageProgress(ImageReader source, float percentageDone) {
            if (cancelled.getAsBoolean()) {
                reader.abort();
            }
        }

        @Override
        public void sequenceStarted(ImageReader source, int minIndex) {
        }

        @Override
        public void sequenceComplete(ImageReader source) {
        }

        @Override
        public void imageStarted(ImageReader source, int imageIndex) {
        }

        @Override
        public void imageComplete(ImageReader source) {
        }

        @Override
        public void thumbnailStarted(ImageReader source, int imageIndex, int thumbnailIndex) {
        }

        @Override
        public void thumbnailProgress(ImageReader source, float percentageDone) {
        }

        @Override
        public void thumbnailComplete(ImageReader source) {
        }

        @Override
        public void readAborted(ImageReader source) {
        }
    }
}
