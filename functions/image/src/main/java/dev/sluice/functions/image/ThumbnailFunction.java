package dev.sluice.functions.image;

import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.awt.Dimension;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import net.coobird.thumbnailator.resizers.DefaultResizerFactory;

/**
 * {@code thumbnail}: scales an image to one or more widths or into a box, upright (EXIF orientation applied),
 * as a fresh JPEG or PNG without the source's metadata. The image is decoded once, at the smallest scale that
 * serves the largest requested size, and every output is resized from that.
 *
 * <p>Stateless and thread-safe: every invocation uses its own readers and writers.
 */
public final class ThumbnailFunction implements SluiceFunction {

    private static final List<ParameterSpec> PARAMETERS = List.of(
            ParameterSpec.of("width", ParameterType.INT_LIST, null,
                    "Output width in pixels, or several separated by commas (e.g. 256,1024) for one output each;"
                            + " the height follows the aspect ratio. Give width or box."),
            ParameterSpec.of("box", ParameterType.DIMENSIONS, null,
                    "Output box such as 640x480; see fit. Give width or box."),
            ParameterSpec.oneOf("fit", "fit",
                    "With box: 'fit' keeps the whole image inside the box, 'fill' crops it to fill the box exactly.",
                    "fit", "fill"),
            ParameterSpec.oneOf("format", "jpeg",
                    "Output format: jpeg (transparency flattened onto white) or png.", "jpeg", "png"),
            ParameterSpec.of("quality", ParameterType.INT, "85", "JPEG quality, 1-100."),
            ParameterSpec.of("max-pixels", ParameterType.INT, "100000000",
                    "Images with more pixels than this (width x height) are refused before they are decoded."),
            ParameterSpec.of("upscale", ParameterType.BOOLEAN, "false",
                    "Enlarge images smaller than the requested size (otherwise they keep their size)."));

    private static final AtomicBoolean PREPARED = new AtomicBoolean();

    @Override
    public String name() {
        return "thumbnail";
    }

    @Override
    public String description() {
        return "Scales JPEG, PNG, GIF, BMP, TIFF, WebP and PSD images to one or more widths or a box, upright and"
                + " without metadata, as JPEG or PNG.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return PARAMETERS;
    }

    @Override
    public void validate(Parameters parameters) {
        ThumbnailSettings.from(parameters);
    }

    /**
     * Registers the ImageIO plugins and takes a small made-up photo through the JPEG path: otherwise the first
     * real photo also waits for the decoder, resizer and encoder classes and native libraries to load (about a
     * tenth of a second, on every thread that starts with it).
     */
    @Override
    public void prepare() {
        if (PREPARED.compareAndSet(false, true)) {
            thumbnailOfMadeUpPhoto();
        }
    }

    /** A small JPEG, stored sideways, decoded at 1/8 and made into an upright 8-pixel-wide thumbnail. */
    static BufferedImage thumbnailOfMadeUpPhoto() {
        BufferedImage photo = new BufferedImage(128, 96, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < photo.getHeight(); y++) {
            for (int x = 0; x < photo.getWidth(); x++) {
                photo.setRGB(x, y, (x * 2) << 16 | (y * 2) << 8 | 128);
            }
        }
        try {
            ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
            ImageEncoder.write(photo, ImageEncoder.Format.JPEG, 85, jpeg);
            BufferedImage reduced = JpegReducedDecoder.read(jpeg.toByteArray()).decode(8, () -> false);
            int sideways = 6;
            ThumbnailPlan plan = ThumbnailPlan.plan(new ThumbnailSettings.Size(8, 0), false, false,
                    reduced.getHeight(), reduced.getWidth());
            BufferedImage thumbnail = render(new ImageDecoder.Decoded(reduced, photo.getWidth(), photo.getHeight(),
                    sideways, ImageFormat.JPEG), plan);
            ImageEncoder.write(thumbnail, ImageEncoder.Format.JPEG, 85, new ByteArrayOutputStream());
            return thumbnail;
        } catch (IOException | JpegReducedDecoder.CorruptDataException e) {
            throw new IllegalStateException("The thumbnail path failed on a made-up photo: " + e, e);
        }
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        ThumbnailSettings settings = ThumbnailSettings.from(invocation.parameters());
        String name = invocation.input().fileName();
        Instant deadline = invocation.deadline();
        BooleanSupplier cancelled = () -> Thread.currentThread().isInterrupted() || Instant.now().isAfter(deadline);

        AtomicReference<List<ThumbnailPlan>> plans = new AtomicReference<>();
        ImageDecoder.Decoded decoded = ImageDecoder.decode(invocation.input().file(), name, settings.maxPixels(),
                (storedWidth, storedHeight, orientation) -> {
                    boolean swap = Orientation.swapsAxes(orientation);
                    plans.set(ThumbnailPlan.plan(settings, swap ? storedHeight : storedWidth,
                            swap ? storedWidth : storedHeight));
                    return ThumbnailPlan.requiredDecodeScale(plans.get());
                }, cancelled);
        if (plans.get() == null) {
            // the decoder did not need to plan (cannot happen today); plan from the decoded size
            boolean swap = Orientation.swapsAxes(decoded.orientation());
            plans.set(ThumbnailPlan.plan(settings, swap ? decoded.sourceHeight() : decoded.sourceWidth(),
                    swap ? decoded.sourceWidth() : decoded.sourceHeight()));
        }
        invocation.logger().debug("{}: {} {}x{} orientation {} decoded at {}x{}", name, decoded.format(),
                decoded.sourceWidth(), decoded.sourceHeight(), decoded.orientation(), decoded.image().getWidth(),
                decoded.image().getHeight());

        for (ThumbnailPlan plan : plans.get()) {
            invocation.checkDeadline();
            BufferedImage thumbnail = render(decoded, plan);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
            ImageEncoder.write(thumbnail, settings.format(), settings.quality(), bytes);
            OutputSpec spec = OutputSpec.of(plan.size().suffix(), settings.format().extension,
                            settings.format().contentType)
                    .with("width", plan.size().width())
                    .with("height", plan.size().isBox() ? plan.size().height() : plan.outputHeight())
                    .with("output-width", plan.outputWidth())
                    .with("output-height", plan.outputHeight());
            invocation.outputs().write(spec, bytes.toByteArray());
        }
    }

    /** Crops and resizes in stored orientation (cheaper on the larger image), then turns the result upright. */
    static BufferedImage render(ImageDecoder.Decoded decoded, ThumbnailPlan plan) {
        BufferedImage image = decoded.image();
        boolean swap = Orientation.swapsAxes(decoded.orientation());
        double marginX = swap ? plan.marginY() : plan.marginX();
        double marginY = swap ? plan.marginX() : plan.marginY();
        int targetWidth = swap ? plan.outputHeight() : plan.outputWidth();
        int targetHeight = swap ? plan.outputWidth() : plan.outputHeight();

        int cropX = (int) Math.round(marginX * image.getWidth());
        int cropY = (int) Math.round(marginY * image.getHeight());
        int cropWidth = Math.max(1, image.getWidth() - 2 * cropX);
        int cropHeight = Math.max(1, image.getHeight() - 2 * cropY);
        BufferedImage source = cropX == 0 && cropY == 0 ? image
                : image.getSubimage(cropX, cropY, cropWidth, cropHeight);

        BufferedImage resized;
        if (source.getWidth() == targetWidth && source.getHeight() == targetHeight) {
            resized = source == image ? image : copy(source);
        } else {
            resized = new BufferedImage(targetWidth, targetHeight, image.getType());
            DefaultResizerFactory.getInstance()
                    .getResizer(new Dimension(source.getWidth(), source.getHeight()),
                            new Dimension(targetWidth, targetHeight))
                    .resize(source, resized);
        }
        return Orientation.apply(resized, decoded.orientation());
    }

    private static BufferedImage copy(BufferedImage source) {
        BufferedImage copy = new BufferedImage(source.getWidth(), source.getHeight(), source.getType());
        copy.setData(source.getData());
        return copy;
    }
}
