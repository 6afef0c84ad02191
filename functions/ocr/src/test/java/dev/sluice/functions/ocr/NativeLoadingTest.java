package dev.sluice.functions.ocr;

import static dev.sluice.functions.ocr.OcrTesting.corpus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which libtesseract a process loads, each case in its own JVM (a process loads the library once): the bundled
 * Maven Central build, the system's, what {@code auto} chooses, and a clear error when none loads.
 */
class NativeLoadingTest {

    @Test
    void theBundledBuildFromMavenCentralWorksWithoutASystemLibrary() throws Exception {
        String output = probe("bundled");

        assertThat(output).contains("LIBRARY libtesseract 5.5.1 (bundled " + NativeTesseract.platform());
        assertThat(output).contains("The quick brown dog jumped over the");
    }

    @Test
    void autoTakesTheSystemLibraryUnlessTheBundledBuildIsNewer() throws Exception {
        String output = probe("auto");

        java.util.Optional<String> installed = InstalledTesseract.version();
        if (installed.isPresent()
                && InstalledTesseract.compare(installed.get(), NativeTesseract.BUNDLED_VERSION) >= 0) {
            assertThat(output).contains("(system, ");
        } else {
            // no system library, or an older one (Debian 12's 5.3.0): the bundled 5.5.1
            assertThat(output).contains("LIBRARY libtesseract 5.5.1 (bundled " + NativeTesseract.platform());
        }
        assertThat(output).contains("The quick brown dog jumped over the");
    }

    @Test
    void theSystemLibraryIsUsedWhenAskedFor() throws Exception {
        assumeThat(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libtesseract.so.5"))
                || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libtesseract.so.5")))
                .as("Debian's libtesseract5 is installed").isTrue();

        String output = probe("system");

        assertThat(output).contains("(system, ");
        assertThat(output).contains("The quick brown dog jumped over the");
    }

    @Test
    void noLoadableLibraryGivesAMessageThatSaysWhatToInstall() throws Exception {
        String output = probe("/nonexistent/libtesseract.so.5");

        assertThat(output).contains("ERROR OcrUnavailableException: OCR needs the Tesseract library");
        assertThat(output).contains("apt-get install libtesseract5").contains("brew install tesseract")
                .contains("org.bytedeco:tesseract");
        assertThat(output).doesNotContain("ERROR UnsatisfiedLinkError");
    }

    @Test
    void versionsOlderThan41AreNotUsed() {
        assertThat(NativeTesseract.atLeast41("5.3.0")).isTrue();
        assertThat(NativeTesseract.atLeast41("4.1.1")).isTrue();
        assertThat(NativeTesseract.atLeast41("4.0.0")).isFalse();
        assertThat(NativeTesseract.atLeast41("3.05.02")).isFalse();
    }

    private static String probe(String mode) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-D" + NativeTesseract.MODE_PROPERTY + "=" + mode, OcrProbe.class.getName(),
                corpus("tesseract/phototest.tif").toString())
                .redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new String(output, StandardCharsets.UTF_8);
    }

}
