package dev.sluice.functions.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The module ships FFmpeg natives for the platforms users run, and only those: Linux and macOS on x86-64 and arm64.
 * Only linux-x86_64 can run here, so for the others this checks that the class path holds their libraries and that
 * each library really is built for that CPU (ELF machine, Mach-O CPU type), which a wrong classifier would break.
 */
class NativePlatformsTest {

    @ParameterizedTest
    @CsvSource({"linux-x86_64, ELF, 62", "linux-arm64, ELF, 183",
                "macosx-x86_64, MACHO, 16777223", "macosx-arm64, MACHO, 16777228"})
    void ffmpegAndJavacppNativesAreBundledForThePlatform(String platform, String format, long cpu) throws IOException {
        for (String library : List.of("ffmpeg/" + platform + ".*/libavcodec[.].*", "ffmpeg/" + platform
                + ".*/libjniavcodec[.].*", "javacpp/" + platform + "/libjnijavacpp[.].*")) {
            List<byte[]> headers = headersOf("org/bytedeco/" + library);
            assertThat(headers).as("%s on the class path", library).isNotEmpty();
            for (byte[] header : headers) {
                if (format.equals("ELF")) {
                    assertThat(header[0] == 0x7f && header[1] == 'E' && header[2] == 'L' && header[3] == 'F')
                            .as("%s is an ELF library", library).isTrue();
                    assertThat((header[18] & 0xff) | (header[19] & 0xff) << 8).as("ELF machine of %s", library)
                            .isEqualTo((int) cpu);
                } else {
                    assertThat(littleEndianInt(header, 0)).as("Mach-O 64-bit magic of %s", library)
                            .isEqualTo(0xfeedfacfL);
                    assertThat(littleEndianInt(header, 4)).as("Mach-O CPU type of %s", library).isEqualTo(cpu);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"windows-x86_64", "linux-ppc64le", "android-arm64", "ios-arm64"})
    void otherPlatformsAreLeftOut(String platform) throws IOException {
        assertThat(headersOf("org/bytedeco/ffmpeg/" + platform + ".*/libavcodec.*")).isEmpty();
    }

    /** The first 32 bytes of every class-path jar entry whose name matches {@code regex}. */
    private static List<byte[]> headersOf(String regex) throws IOException {
        List<byte[]> headers = new ArrayList<>();
        for (String path : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!path.endsWith(".jar") || !new File(path).getName().matches("(ffmpeg|javacpp)-.*")) {
                continue;
            }
            try (JarFile jar = new JarFile(path)) {
                for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                    JarEntry entry = entries.nextElement();
                    if (!entry.isDirectory() && entry.getName().matches(regex)) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            headers.add(in.readNBytes(32));
                        }
                    }
                }
            }
        }
        return headers;
    }

    private static long littleEndianInt(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }
}
