package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherJarTest {

    @TempDir
    Path dir;

    @Test
    void mergesTheClassPathLikeTheClassLoaderWouldSeeIt() throws IOException {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        jar(lib.resolve("first.jar"), Map.of("Multi-Release", "true"), Map.of(
                "a/Shared.class", "from first",
                "a/Only.class", "only in first",
                "META-INF/services/x.Spi", "# providers\nfirst.One\nshared.Both\n",
                "META-INF/INDEX.LIST", "JarIndex-Version: 1.0\n\nfirst.jar\na\n",
                "META-INF/FIRST.SF", "signature",
                "META-INF/FIRST.RSA", "signature block",
                "module-info.class", "module first"));
        jar(lib.resolve("second.jar"), Map.of(), Map.of(
                "a/Shared.class", "from second",
                "b/Other.class", "only in second",
                "META-INF/services/x.Spi", "second.Two\r\nshared.Both # again\n",
                "META-INF/versions/11/module-info.class", "module second"));
        Path main = jar(dir.resolve("sluice-cli.jar"),
                Map.of("Main-Class", "dev.sluice.cli.Main", "Implementation-Version", "1.2.3",
                        "Class-Path", "lib/first.jar lib/second.jar"),
                Map.of("dev/sluice/cli/Main.class", "main"));
        Path merged = dir.resolve("sluice.jar");

        LauncherJar.merge(main, merged);

        try (JarFile jar = new JarFile(merged.toFile())) {
            assertThat(text(jar, "a/Shared.class")).isEqualTo("from first");
            assertThat(text(jar, "a/Only.class")).isEqualTo("only in first");
            assertThat(text(jar, "b/Other.class")).isEqualTo("only in second");
            assertThat(text(jar, "dev/sluice/cli/Main.class")).isEqualTo("main");
            assertThat(text(jar, "META-INF/services/x.Spi")).isEqualTo("first.One\nshared.Both\nsecond.Two\n");
            assertThat(jar.getEntry("META-INF/INDEX.LIST")).isNull();
            assertThat(jar.getEntry("META-INF/FIRST.SF")).isNull();
            assertThat(jar.getEntry("META-INF/FIRST.RSA")).isNull();
            assertThat(jar.getEntry("module-info.class")).isNull();
            assertThat(jar.getEntry("META-INF/versions/11/module-info.class")).isNull();

            Attributes attributes = jar.getManifest().getMainAttributes();
            assertThat(attributes.getValue("Main-Class")).isEqualTo("dev.sluice.cli.Main");
            assertThat(attributes.getValue("Implementation-Version")).isEqualTo("1.2.3");
            assertThat(attributes.getValue("Multi-Release")).isEqualTo("true");
            assertThat(attributes.getValue("Class-Path")).isNull();
            // stored, so a class is read without inflating it
            assertThat(jar.getEntry("a/Shared.class").getMethod()).isEqualTo(ZipEntry.STORED);
        }
    }

    @Test
    void namesJarsOfNativeLibrariesForThisPlatformOnItsClassPathAndLeavesOthersOut() throws IOException {
        String platform = LauncherJar.platform();
        String other = platform.startsWith("linux-") ? "macosx-arm64" : "linux-x86_64";
        Path lib = Files.createDirectories(dir.resolve("lib"));
        jar(lib.resolve("plain.jar"), Map.of(), Map.of("p/Plain.class", "plain"));
        jar(lib.resolve("natives-here.jar"), Map.of(), Map.of("org/bytedeco/x/" + platform + "-gpl/libx.so.61", "elf"));
        jar(lib.resolve("natives-elsewhere.jar"), Map.of(), Map.of("org/bytedeco/x/" + other + "/libx.so", "elf",
                "META-INF/versions/9/module-info.class", "module x.natives"));
        jar(lib.resolve("classes-and-natives.jar"), Map.of(),
                Map.of("com/sun/jna/Native.class", "jna", "com/sun/jna/" + other + "/libjnidispatch.so", "elf"));
        Path main = jar(dir.resolve("sluice-cli.jar"), Map.of("Class-Path",
                        "lib/plain.jar lib/natives-here.jar lib/natives-elsewhere.jar lib/classes-and-natives.jar"),
                Map.of("dev/sluice/cli/Main.class", "main"));
        Path merged = dir.resolve("sluice.jar");

        LauncherJar.merge(main, merged);

        try (JarFile jar = new JarFile(merged.toFile())) {
            assertThat(text(jar, "p/Plain.class")).isEqualTo("plain");
            assertThat(jar.getEntry("com/sun/jna/Native.class")).isNull();
            assertThat(jar.getManifest().getMainAttributes().getValue("Class-Path"))
                    .isEqualTo("lib/natives-here.jar lib/classes-and-natives.jar");
        }
    }

    @Test
    void aMissingJarOfTheClassPathIsAnErrorThatSaysToBuildAgain() throws IOException {
        Path main = jar(dir.resolve("sluice-cli.jar"), Map.of("Class-Path", "lib/gone.jar"), Map.of());

        assertThatThrownBy(() -> LauncherJar.merge(main, dir.resolve("sluice.jar")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("lib/gone.jar")
                .hasMessageContaining("build again");
    }

    @Test
    void platformIsNamedTheWayJavaCppNamesIt() {
        assertThat(LauncherJar.platform()).matches("(linux|macosx|windows|[a-z]+)-(x86_64|arm64|x86|[a-z0-9_]+)");
        if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertThat(LauncherJar.platform()).isEqualTo("linux-x86_64");
        }
    }

    private static Path jar(Path path, Map<String, String> attributes, Map<String, String> entries)
            throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.forEach((name, value) -> manifest.getMainAttributes().putValue(name, value));
        try (OutputStream file = Files.newOutputStream(path);
             JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Map.Entry<String, String> entry : new LinkedHashMap<>(entries).entrySet()) {
                out.putNextEntry(new JarEntry(entry.getKey()));
                out.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return path;
    }

    private static String text(JarFile jar, String name) throws IOException {
        ZipEntry entry = jar.getEntry(name);
        assertThat(entry).as(name).isNotNull();
        return new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
    }
}
