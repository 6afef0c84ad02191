package dev.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/**
 * Merges {@code sluice-cli.jar} and the jars its manifest's {@code Class-Path} names into one jar, for the
 * {@code ./sluice} launcher. A one-shot command starts measurably sooner from one jar than from 140: the JVM and
 * the class loader open every jar of the class path, a class or resource that is looked up but not there (picocli
 * asks for Groovy's closure class, ServiceLoader for every provider file) searches all of them, and classes are
 * read without inflating them (entries are stored).
 *
 * <p>The merged jar behaves like the class path it replaces: where several jars hold the same entry the first
 * one wins, as it would on the class path; the provider files under {@code META-INF/services} are joined; the
 * manifest is sluice-cli's (its {@code Implementation-Version} is what {@code sluice -V} prints) without the
 * class path, and says {@code Multi-Release} when any part did. Signatures, jar indexes and module descriptors
 * are left out: they describe one jar and would be wrong for the merged one. Jars of native libraries stay
 * as they are, named on the merged jar's class path (see {@link #kind}).
 *
 * <p>Usage: {@code java -cp sluice-cli.jar dev.sluice.cli.LauncherJar sluice-cli.jar merged.jar}
 */
public final class LauncherJar {

    private static final String SERVICES = "META-INF/services/";
    private static final Pattern SIGNATURE = Pattern.compile("META-INF/[^/]*\\.(SF|DSA|RSA|EC)|META-INF/SIG-[^/]*");
    private static final Pattern NATIVE_LIBRARY = Pattern.compile(".*\\.(so(\\.[0-9.]+)?|dll|dylib|jnilib)");

    private LauncherJar() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: LauncherJar SLUICE_CLI_JAR OUTPUT_JAR");
            System.exit(2);
        }
        merge(Path.of(args[0]), Path.of(args[1]));
    }

    /** Writes {@code output}: {@code mainJar} and its class path merged, except the jars of native libraries. */
    public static void merge(Path mainJar, Path output) throws IOException {
        List<Path> parts = new ArrayList<>();
        List<Path> natives = new ArrayList<>();
        String platform = platform();
        for (Path part : classPath(mainJar)) {
            switch (part.equals(mainJar) ? Kind.CLASSES : kind(part, platform)) {
                case CLASSES -> parts.add(part);
                case NATIVE -> natives.add(part);
                case OTHER_PLATFORM -> { } // never loaded here
            }
        }
        Manifest manifest = manifest(mainJar, parts, natives, output);
        Set<String> written = new HashSet<>();
        Map<String, Set<String>> providers = new LinkedHashMap<>();
        try (OutputStream file = Files.newOutputStream(output);
             JarOutputStream out = new JarOutputStream(file, manifest)) {
            written.add(JarFile.MANIFEST_NAME);
            for (Path part : parts) {
                try (JarFile jar = new JarFile(part.toFile(), false)) {
                    for (JarEntry entry : (Iterable<JarEntry>) jar.stream()::iterator) {
                        String name = entry.getName();
                        if (left(name) || written.contains(name)) {
                            continue;
                        }
                        if (name.startsWith(SERVICES) && !entry.isDirectory()) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                providers.computeIfAbsent(name, n -> new LinkedHashSet<>()).addAll(providerLines(in));
                            }
                            continue;
                        }
                        written.add(name);
                        try (InputStream in = jar.getInputStream(entry)) {
                            write(out, name, in.readAllBytes(), entry.getTime());
                        }
                    }
                }
            }
            for (Map.Entry<String, Set<String>> service : providers.entrySet()) {
                byte[] lines = (String.join("\n", service.getValue()) + "\n").getBytes(StandardCharsets.UTF_8);
                write(out, service.getKey(), lines, -1);
            }
        }
    }

    /** The main jar followed by the jars of its {@code Class-Path}, in that order. */
    static List<Path> classPath(Path mainJar) throws IOException {
        List<Path> parts = new ArrayList<>();
        parts.add(mainJar);
        try (JarFile jar = new JarFile(mainJar.toFile(), false)) {
            Manifest manifest = jar.getManifest();
            String classPath = manifest == null ? null
                    : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath != null) {
                Path dir = mainJar.toAbsolutePath().getParent();
                for (String relative : classPath.trim().split("\\s+")) {
                    Path part = dir.resolve(relative);
                    if (!Files.isRegularFile(part)) {
                        throw new IOException(mainJar + " names " + relative + " on its Class-Path, but " + part
                                + " is not there: build again (./mvnw package -pl cli -am)");
                    }
                    parts.add(part);
                }
            }
        }
        return parts;
    }

    enum Kind { CLASSES, NATIVE, OTHER_PLATFORM }

    /**
     * How a jar goes into the merged one. Jars with native libraries are large and only read once, when JavaCPP or
     * JNA extract a library, so the merged jar names them on its class path instead of copying them (that would
     * take seconds and hundreds of MB). Of JavaCPP's per-platform jars (natives, no classes) only this machine's
     * are named: the merged jar is made on the machine that runs it.
     */
    static Kind kind(Path jar, String platform) throws IOException {
        boolean classes = false;
        boolean natives = false;
        boolean thisPlatform = false;
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            for (JarEntry entry : (Iterable<JarEntry>) file.stream()::iterator) {
                String name = entry.getName();
                classes |= name.endsWith(".class") && !name.endsWith("module-info.class");
                if (NATIVE_LIBRARY.matcher(name).matches()) {
                    natives = true;
                    for (String directory : name.split("/")) {
                        thisPlatform |= directory.equals(platform) || directory.startsWith(platform + "-");
                    }
                }
            }
        }
        return !natives ? Kind.CLASSES : classes || thisPlatform ? Kind.NATIVE : Kind.OTHER_PLATFORM;
    }

    /** This machine's platform as JavaCPP names it: linux-x86_64, macosx-arm64, windows-x86_64, ... */
    static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        os = os.startsWith("mac") ? "macosx" : os.startsWith("windows") ? "windows" : os.replaceAll("[^a-z]", "");
        arch = switch (arch) {
            case "amd64", "x86-64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            case "i386", "i486", "i586", "i686" -> "x86";
            default -> arch;
        };
        return os + "-" + arch;
    }

    private static Manifest manifest(Path mainJar, List<Path> parts, List<Path> natives, Path output)
            throws IOException {
        Manifest manifest;
        try (JarFile jar = new JarFile(mainJar.toFile(), false)) {
            manifest = jar.getManifest() == null ? new Manifest() : new Manifest(jar.getManifest());
        }
        Attributes main = manifest.getMainAttributes();
        main.putIfAbsent(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.remove(Attributes.Name.CLASS_PATH);
        if (!natives.isEmpty()) {
            Path dir = output.toAbsolutePath().getParent();
            StringBuilder classPath = new StringBuilder();
            for (Path jar : natives) {
                classPath.append(classPath.length() == 0 ? "" : " ")
                        .append(dir.relativize(jar.toAbsolutePath()).toString().replace('\\', '/'));
            }
            main.put(Attributes.Name.CLASS_PATH, classPath.toString());
        }
        manifest.getEntries().clear(); // per-entry sections carry the digests of signed jars
        for (Path part : parts) {
            try (JarFile jar = new JarFile(part.toFile(), false)) {
                if (jar.getManifest() != null
                        && "true".equalsIgnoreCase(jar.getManifest().getMainAttributes().getValue("Multi-Release"))) {
                    main.putValue("Multi-Release", "true");
                    break;
                }
            }
        }
        return manifest;
    }

    /** Entries that describe their own jar only. */
    private static boolean left(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return upper.equals("META-INF/INDEX.LIST")
                || SIGNATURE.matcher(upper).matches()
                || name.equals("module-info.class")
                || (name.startsWith("META-INF/versions/") && name.endsWith("/module-info.class"));
    }

    /** The provider class names of a {@code META-INF/services} file, without comments and blank lines. */
    static List<String> providerLines(InputStream in) throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
            int comment = line.indexOf('#');
            String name = (comment >= 0 ? line.substring(0, comment) : line).trim();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    /** Writes an entry stored, not compressed: classes and resources are read at every start. */
    private static void write(JarOutputStream out, String name, byte[] bytes, long time) {
        try {
            JarEntry entry = new JarEntry(name);
            if (time >= 0) {
                entry.setTime(time);
            }
            CRC32 crc = new CRC32();
            crc.update(bytes);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(bytes.length);
            entry.setCompressedSize(bytes.length);
            entry.setCrc(crc.getValue());
            out.putNextEntry(entry);
            out.write(bytes);
            out.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + name + ": " + e.getMessage(), e);
        }
    }
}
