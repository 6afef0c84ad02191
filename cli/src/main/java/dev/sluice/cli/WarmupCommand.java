package dev.sluice.cli;

import dev.sluice.core.exec.LocalInvoker;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.function.Parameters;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;

/**
 * Exercises the common start-up path once (command line, function registry, an image thumbnail) so that the
 * launcher can record the classes it loads in a class-data archive (AppCDS); every later start maps them in.
 */
@Command(name = "warmup", hidden = true, description = "Used by the launcher to build its class-data archive.")
final class WarmupCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("sluice-warmup");
        try (FunctionRegistry functions = Functions.load(null)) {
            Path photo = dir.resolve("warmup.jpg");
            BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setColor(Color.ORANGE);
            g.fillOval(100, 100, 300, 200);
            g.dispose();
            ImageIO.write(image, "jpg", photo.toFile());
            if (functions.contains("thumbnail")) {
                var thumbnail = functions.get("thumbnail");
                LocalInvoker.invoke(thumbnail, Parameters.of(thumbnail, Map.of("width", "64")), List.of(photo),
                        dir.resolve("out"), 1, Duration.ofMinutes(1), result -> { });
            }
            return 0;
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
