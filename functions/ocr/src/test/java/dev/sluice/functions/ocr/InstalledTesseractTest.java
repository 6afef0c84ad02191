package dev.sluice.functions.ocr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstalledTesseractTest {
    @TempDir
    Path dir;

    @Test
    void readsTheVersionOfDebiansLibrary() {
        Path debian = Path.of("/usr/lib/x86_64-linux-gnu/libtesseract.so.5");
        assumeThat(Files.exists(debian)).as("Debian's libtesseract5 is installed").isTrue();

        assertThat(InstalledTesseract.versionIn(debian))
                .hasValueSatisfying(v -> assertThat(v).matches("5\\.\\d+\\.\\d+"));
        assertThat(InstalledTesseract.version()).isEqualTo(InstalledTesseract.versionIn(debian));
    }

    @Test
    void onlyAWholeStringThatIsAVersionCounts() throws Exception {
        Path library = library("\u0001ELF", "GLIBC_2.2.5", "libc.so.6", "lept 1.82.0", "v5.2.1", "15.3.0", "5.3.0",
                "%d.%d.%d", "eng");
        assertThat(InstalledTesseract.versionIn(library)).hasValue("5.3.0");

        assertThat(InstalledTesseract.versionIn(library("5.3.0", "4.1.1"))).as("two candidates: unknown").isEmpty();
        assertThat(InstalledTesseract.versionIn(library("no", "version"))).isEmpty();
        assertThat(InstalledTesseract.versionIn(dir.resolve("missing.so"))).isEmpty();
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(InstalledTesseract.compare("5.3.0", "5.5.1")).isNegative();
        assertThat(InstalledTesseract.compare("5.10.0", "5.5.1")).isPositive();
        assertThat(InstalledTesseract.compare("5.5.1", "5.5.1")).isZero();
        assertThat(InstalledTesseract.compare("4.1.1", "5.0.0")).isNegative();
    }

    private Path library(String... strings) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String s : strings) {
            bytes.write(s.getBytes(StandardCharsets.ISO_8859_1));
            bytes.write(0);
        }
        return Files.write(Files.createTempFile(dir, "libtesseract", ".so"), bytes.toByteArray());
    }
}
