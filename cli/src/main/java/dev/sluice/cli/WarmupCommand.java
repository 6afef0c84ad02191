package dev.sluice.cli;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Runs the common one-shot command lines once ({@code --version}, {@code functions}, {@code invoke thumbnail} on a
 * small photo) so that the launcher can record the classes they load in a class-data archive; every later start
 * maps them in instead of finding, reading and verifying each one. Their output goes nowhere; errors are shown.
 */
@Command(name = "warmup", hidden = true, description = "Used by the launcher to build its class-data archive.")
final class WarmupCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("sluice-warmup");
        try {
            Path photo = dir.resolve("warmup.jpg");
            // large enough to be decoded at 1/16 for its 64-pixel thumbnail, like a photo
            BufferedImage image = new BufferedImage(1600, 1200, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setColor(Color.ORANGE);
            g.fillOval(200, 200, 900, 600);
            g.dispose();
            ImageIO.write(image, "jpg", photo.toFile());
            int failures = 0;
            for (String[] args : new String[][] {
                {"--version"},
                {"functions"},
                {"invoke", "thumbnail", "--param", "width=64", "--quiet", photo.toString(), "--out",
                    dir.resolve("out").toString()},
            }) {
                Main.loadFunctionsAhead(args);
                CommandLine cli = Main.commandLine(args);
                cli.setOut(new PrintWriter(Writer.nullWriter())); // printed all the same, so its classes count
                failures += cli.execute(args) == 0 ? 0 : 1;
            }
            return failures == 0 ? 0 : 1;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
