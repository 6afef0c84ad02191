package dev.sluice.functions.image;

import dev.sluice.core.exec.LocalInput;
import dev.sluice.core.function.Input;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.Outputs;
import dev.sluice.core.function.Parameters;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Test helpers: the corpora, a small in-memory invocation, and pixel comparisons. */
final class Images {
    static final Path CORPORA = Path.of(System.getProperty("sluice.corpora", "../../../shared/corpora"));

    private Images() {
    }

    static Path corpus(String relative) {
        return CORPORA.resolve(relative);
    }

    /** Every output of one invocation, in order, with its spec. */
    record Output(OutputSpec spec, byte[] bytes) {
        BufferedImage image() {
            try {
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
                if (image == null) {
                    throw new AssertionError("output " + spec + " is not a readable image");
                }
                return image;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Runs {@code thumbnail} once on {@code file}, in this thread, and returns what it wrote. */
    static List<Output> thumbnail(Path file, Map<String, String> params) throws Exception {
        ThumbnailFunction function = new ThumbnailFunction();
        Parameters parameters = Parameters.of(function, params);
        function.validate(parameters);
        CapturingOutputs outputs = new CapturingOutputs();
        function.apply(new TestInvocation(new LocalInput(file), parameters, outputs,
                Instant.now().plus(Duration.ofMinutes(1)), LoggerFactory.getLogger("test.thumbnail")));
        return outputs.outputs;
    }

    static BufferedImage onlyImage(Path file, Map<String, String> params) throws Exception {
        List<Output> outputs = thumbnail(file, params);
        if (outputs.size() != 1) {
            throw new AssertionError("expected one output, got " + outputs.size());
        }
        return outputs.get(0).image();
    }

    record TestInvocation(Input input, Parameters parameters, Outputs outputs, Instant deadline, Logger logger)
            implements Invocation {
    }

    static final class CapturingOutputs implements Outputs {
        final List<Output> outputs = new ArrayList<>();

        @Override
        public OutputStream open(OutputSpec spec) {
            return new ByteArrayOutputStream() {
                @Override
                public void close() {
                    synchronized (CapturingOutputs.this) {
                        outputs.add(new Output(spec, toByteArray()));
                    }
                }
            };
        }
    }

    /**
     * Pixel as RGBA with raw sample values: grey images are read without Java2D's linear-grey conversion.
     */
    static int[] rgba(BufferedImage image, int x, int y) {
        Raster raster = image.getRaster();
        if (image.getColorModel() instanceof ComponentColorModel
                && image.getColorModel().getNumColorComponents() == 1) {
            int[] samples = raster.getPixel(x, y, (int[]) null);
            int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
            int grey = Math.round(samples[0] * 255f / max);
            int alpha = samples.length > 1 ? Math.round(samples[1] * 255f / max) : 255;
            return new int[] {grey, grey, grey, alpha};
        }
        int argb = image.getRGB(x, y);
        return new int[] {argb >> 16 & 0xFF, argb >> 8 & 0xFF, argb & 0xFF, argb >>> 24};
    }

    /** Mean absolute difference of the RGB channels of two images of the same size. */
    static double meanDifference(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            throw new AssertionError("sizes differ: " + a.getWidth() + "x" + a.getHeight() + " vs " + b.getWidth()
                    + "x" + b.getHeight());
        }
        long sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int[] p = rgba(a, x, y);
                int[] q = rgba(b, x, y);
                sum += Math.abs(p[0] - q[0]) + Math.abs(p[1] - q[1]) + Math.abs(p[2] - q[2]);
            }
        }
        return sum / (3.0 * a.getWidth() * a.getHeight());
    }

    /** Rows of a tab-separated corpus file, without its header. */
    static List<String[]> tsv(Path file) throws IOException {
        List<String[]> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isBlank()) {
                rows.add(line.split("\t"));
            }
        }
        return rows;
    }

    /** JPEG marker segments in order, as {@code 0xE1} etc., up to the first scan. */
    static List<Integer> jpegMarkers(byte[] data) {
        List<Integer> markers = new ArrayList<>();
        int p = 2;
        while (p + 4 <= data.length && (data[p] & 0xFF) == 0xFF) {
            int marker = data[p + 1] & 0xFF;
            markers.add(marker);
            if (marker == 0xDA) {
                break;
            }
            p += 2 + ((data[p + 2] & 0xFF) << 8 | (data[p + 3] & 0xFF));
        }
        return markers;
    }

    /** PNG chunk types in order. */
    static List<String> pngChunks(byte[] data) {
        List<String> chunks = new ArrayList<>();
        int p = 8;
        while (p + 8 <= data.length) {
            int length = (data[p] & 0xFF) << 24 | (data[p + 1] & 0xFF) << 16 | (data[p + 2] & 0xFF) << 8
                    | (data[p + 3] & 0xFF);
            chunks.add(new String(data, p + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1));
            p += 12 + length;
        }
        return chunks;
    }

    static Map<String, String> params(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
