package dev.sluice.functions.ocr;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads libtesseract once per process. In {@code auto} mode (the default) it takes the system's library when one
 * is installed (Debian's {@code libtesseract5}, Homebrew's {@code tesseract}; on Windows the DLL inside Tess4J),
 * and otherwise bytedeco's build from Maven Central, which this module bundles for the build machine's platform.
 * One exception: a system library older than the bundled build (its version read from the file, see
 * {@link InstalledTesseract}) gives way to the bundled one, since newer Tesseracts read the same pages faster
 * (5.5.1 against Debian 12's 5.3.0: the same text for about a third less CPU, measured in bench/ocr).
 * The system property {@code sluice.ocr.native} (or the environment variable {@code SLUICE_OCR_NATIVE}) forces
 * {@code system}, {@code bundled}, or names a library file.
 *
 * <p>Before anything is loaded, {@code OMP_THREAD_LIMIT=1} is put into the process environment unless it is set
 * already: OpenMP builds of Tesseract (Debian's) read it once, when libgomp loads, and would otherwise start
 * several threads per page and oversubscribe the cores that the engine pool already keeps busy.
 */
public final class NativeTesseract {
    public static final String MODE_PROPERTY = "sluice.ocr.native";
    public static final String CACHE_PROPERTY = "sluice.ocr.cache";
    /** The bytedeco build this module was compiled against (for messages). */
    static final String BUNDLED_ARTIFACTS = "org.bytedeco:tesseract:5.5.1-1.5.12 and org.bytedeco:leptonica:1.85.0-1.5.12";
    /** The Tesseract version of that build. */
    static final String BUNDLED_VERSION = "5.5.1";
    private static final Logger LOG = LoggerFactory.getLogger(NativeTesseract.class);

    /** A loaded library. */
    public record Loaded(TessCApi api, String version, String source, String file, Duration loadTime) {
        @Override
        public String toString() {
            return "libtesseract " + version + " (" + source + ", " + file + ")";
        }
    }

    private static Loaded loaded;
    private static OcrUnavailableException failure;

    private NativeTesseract() {
    }

    /** The process's library, loaded on first use; throws {@link OcrUnavailableException} naming what to install. */
    public static synchronized Loaded get() {
        if (loaded != null) {
            return loaded;
        }
        if (failure != null) {
            throw new OcrUnavailableException(failure.getMessage(), failure);
        }
        long start = System.nanoTime();
        try {
            limitOpenMpThreads();
            Loaded library = load(mode());
            loaded = new Loaded(library.api(), library.version(), library.source(), library.file(),
                    Duration.ofNanos(System.nanoTime() - start));
            LOG.info("OCR uses {}, loaded in {} ms", loaded, loaded.loadTime().toMillis());
            return loaded;
        } catch (OcrUnavailableException e) {
            failure = e;
            throw e;
        }
    }

    static String mode() {
        String mode = System.getProperty(MODE_PROPERTY);
        if (mode == null || mode.isBlank()) {
            mode = System.getenv("SLUICE_OCR_NATIVE");
        }
        return mode == null || mode.isBlank() ? "auto" : mode.trim();
    }

    private static Loaded load(String mode) {
        List<String> attempts = new ArrayList<>();
        switch (mode.toLowerCase(Locale.ROOT)) {
            case "auto" -> {
                Optional<String> installed = isWindows() ? Optional.empty() : InstalledTesseract.version();
                if (installed.isPresent() && InstalledTesseract.compare(installed.get(), BUNDLED_VERSION) < 0) {
                    Loaded bundled = tryBundled(attempts);
                    if (bundled != null) {
                        LOG.info("OCR takes the bundled Tesseract {} over the system's older {}; "
                                + "-D{}=system uses the system's", BUNDLED_VERSION, installed.get(), MODE_PROPERTY);
                        return bundled;
                    }
                }
                Loaded system = trySystem(attempts);
                if (system != null) {
                    return system;
                }
                Loaded bundled = tryBundled(attempts);
                if (bundled != null) {
                    return bundled;
                }
            }
            case "system" -> {
                Loaded system = trySystem(attempts);
                if (system != null) {
                    return system;
                }
            }
            case "bundled" -> {
                Loaded bundled = tryBundled(attempts);
                if (bundled != null) {
                    return bundled;
                }
            }
            default -> {
                Loaded file = tryLoad(mode, "library named by " + MODE_PROPERTY, attempts);
                if (file != null) {
                    return file;
                }
            }
        }
        throw new OcrUnavailableException("OCR needs the Tesseract library (4.1 or newer) and none could be loaded on "
                + platform() + " (" + MODE_PROPERTY + "=" + mode + "). Tried:\n  - " + String.join("\n  - ", attempts)
                + "\nInstall it: Debian/Ubuntu `apt-get install libtesseract5`, Fedora `dnf install tesseract`, "
                + "macOS `brew install tesseract`; or put " + BUNDLED_ARTIFACTS + " with classifier " + platform()
                + " on the class path (sluice-functions-ocr bundles the build machine's platform).");
    }

    private static Loaded trySystem(List<String> attempts) {
        if (isWindows()) {
            // Tess4J ships a self-contained libtesseract for Windows; there is no system-wide install to prefer.
            Path dll = extractResource("win32-x86-64/libtesseract551.dll", "tess4j");
            if (dll == null) {
                attempts.add("Tess4J's Windows DLL: win32-x86-64/libtesseract551.dll is not on the class path");
                return null;
            }
            return tryLoad(dll.toString(), "Tess4J's Windows DLL", attempts);
        }
        for (String name : systemNames()) {
            Loaded library = tryLoad(name, "system", attempts);
            if (library != null) {
                return library;
            }
        }
        return null;
    }

    private static List<String> systemNames() {
        if (isMac()) {
            return List.of("tesseract", "/opt/homebrew/lib/libtesseract.dylib", "/usr/local/lib/libtesseract.dylib",
                    "/opt/local/lib/libtesseract.dylib");
        }
        // JNA finds libtesseract.so.N without the -dev symlink; the sonames are the fallback.
        return List.of("tesseract", "libtesseract.so.5", "libtesseract.so.4");
    }

    private static Loaded tryBundled(List<String> attempts) {
        String platform = platform();
        String what = "bundled build (org.bytedeco:tesseract:" + platform + ")";
        try {
            List<Path> leptonica = extractNativeFolder("org/bytedeco/leptonica/" + platform + "/");
            List<Path> tesseract = extractNativeFolder("org/bytedeco/tesseract/" + platform + "/");
            Path tessLib = tesseract.stream().filter(p -> baseName(p).contains("tesseract")).findFirst().orElse(null);
            if (tessLib == null || leptonica.isEmpty()) {
                attempts.add(what + ": not on the class path (needs " + BUNDLED_ARTIFACTS + " with classifier "
                        + platform + ")");
                return null;
            }
            // Loaded first so that libtesseract's reference to it resolves whatever the platform's search rules.
            for (Path lib : leptonica) {
                NativeLibrary.getInstance(lib.toString());
            }
            return tryLoad(tessLib.toString(), "bundled " + platform, attempts);
        } catch (IOException | LinkageError e) {
            attempts.add(what + ": " + e.getMessage());
            return null;
        }
    }

    private static Loaded tryLoad(String name, String source, List<String> attempts) {
        try {
            TessCApi api = Native.load(name, TessCApi.class);
            String version = api.TessVersion();
            if (!atLeast41(version)) {
                attempts.add(source + " " + name + ": version " + version + " is too old (4.1 or newer is needed)");
                return null;
            }
            String file = name;
            try {
                file = NativeLibrary.getInstance(name).getFile().toString();
            } catch (RuntimeException | LinkageError ignored) {
                // the name is good enough for messages
            }
            return new Loaded(api, version, source, file, Duration.ZERO);
        } catch (LinkageError | RuntimeException e) {
            attempts.add(source + " " + name + ": " + firstLine(e.getMessage()));
            return null;
        }
    }

    static boolean atLeast41(String version) {
        String[] parts = version.replaceFirst("^[^0-9]*", "").split("[^0-9]+");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 4 || (major == 4 && minor >= 1);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Puts OMP_THREAD_LIMIT=1 into the C environment, where libgomp will read it when it loads. */
    private static void limitOpenMpThreads() {
        if (isWindows() || System.getenv("OMP_THREAD_LIMIT") != null) {
            return;
        }
        try {
            CLibrary.INSTANCE.setenv("OMP_THREAD_LIMIT", "1", 0);
        } catch (LinkageError | RuntimeException e) {
            LOG.warn("Could not set OMP_THREAD_LIMIT=1 ({}); set it in the environment so that OCR engines use one "
                    + "thread each", e.getMessage());
        }
    }

    private interface CLibrary extends Library {
        CLibrary INSTANCE = Native.load("c", CLibrary.class);

        int setenv(String name, String value, int overwrite);
    }

    /** Copies the shared libraries in a class-path folder into the cache; returns them, or none when absent. */
    private static List<Path> extractNativeFolder(String folder) throws IOException {
        URL url = NativeTesseract.class.getClassLoader().getResource(folder);
        if (url == null) {
            return List.of();
        }
        List<Path> libraries = new ArrayList<>();
        if (url.getProtocol().equals("jar")) {
            JarURLConnection connection = (JarURLConnection) url.openConnection();
            connection.setUseCaches(false);
            String jarName = Path.of(connection.getJarFileURL().getPath()).getFileName().toString();
            Path target = cacheRoot().resolve(jarName.replaceFirst("\\.jar$", ""));
            try (JarFile jar = connection.getJarFile()) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    JarEntry entry = entries.nextElement();
                    String rest = entry.getName().substring(Math.min(entry.getName().length(), folder.length()));
                    if (entry.getName().startsWith(folder) && !rest.contains("/") && isSharedLibrary(rest)) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            libraries.add(copyIfChanged(in, entry.getSize(), target.resolve(rest)));
                        }
                    }
                }
            }
        } else if (url.getProtocol().equals("file")) {
            try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                files.filter(p -> isSharedLibrary(baseName(p))).forEach(libraries::add);
            } catch (URISyntaxException e) {
                throw new IOException(e);
            }
        }
        return libraries;
    }

    private static Path extractResource(String resource, String cacheFolder) {
        URL url = NativeTesseract.class.getClassLoader().getResource(resource);
        if (url == null) {
            return null;
        }
        try (InputStream in = url.openStream()) {
            return copyIfChanged(in, -1, cacheRoot().resolve(cacheFolder).resolve(Path.of(resource).getFileName()));
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isSharedLibrary(String name) {
        return !name.startsWith("jni") && !name.startsWith("libjni")
                && (name.contains(".so") || name.endsWith(".dylib") || name.endsWith(".dll"));
    }

    /** Writes next to the target and renames, so processes sharing the cache never see half a library. */
    static Path copyIfChanged(InputStream in, long size, Path target) throws IOException {
        if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try {
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            if (size < 0 && Files.isRegularFile(target) && Files.mismatch(temp, target) == -1) {
                return target;
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Where native libraries and traineddata are unpacked: {@code sluice.ocr.cache}, ~/.cache/sluice/ocr or tmp. */
    static Path cacheRoot() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path home = Path.of(System.getProperty("user.home"), ".cache", "sluice", "ocr");
        try {
            Files.createDirectories(home);
            if (Files.isWritable(home)) {
                return home;
            }
        } catch (IOException | SecurityException ignored) {
            // fall through to the temp folder
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "sluice-ocr-" + System.getProperty("user.name"));
    }

    /** The running platform in bytedeco's naming, e.g. {@code linux-x86_64}. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osPart = os.startsWith("windows") ? "windows" : os.startsWith("mac") ? "macosx" : "linux";
        String archPart = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
        return osPart + "-" + archPart;
    }

    private static boolean isWindows() {
        return platform().startsWith("windows");
    }

    private static boolean isMac() {
        return platform().startsWith("macosx");
    }

    private static String baseName(Path path) {
        return path.getFileName().toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "failed";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
