package dev.sluice.functions.ocr;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The version of the system's libtesseract, read from the library file without loading it: a process can load only
 * one libtesseract, so {@code auto} must choose before loading. Tesseract keeps its version as a string of its own
 * ({@code "5.3.0"}) in the library's read-only data; exactly one such string is needed, else the version is unknown.
 */
final class InstalledTesseract {
    private static final Pattern VERSION = Pattern.compile("([4-9])\\.(\\d{1,2})\\.(\\d{1,2})");
    private static final List<Path> FOLDERS = List.of(Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/usr/lib/aarch64-linux-gnu"), Path.of("/usr/lib64"), Path.of("/usr/lib"),
            Path.of("/usr/local/lib"), Path.of("/opt/homebrew/lib"), Path.of("/opt/local/lib"));

    private InstalledTesseract() {
    }

    /** The installed library's version, e.g. {@code 5.3.0}, when a library file is found and says it plainly. */
    static Optional<String> version() {
        for (Path folder : FOLDERS) {
            for (Path library : libraries(folder)) {
                Optional<String> version = versionIn(library);
                if (version.isPresent()) {
                    return version;
                }
            }
        }
        return Optional.empty();
    }

    private static List<Path> libraries(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().matches("libtesseract\\.(so\\.[45].*|[45]\\.dylib)"))
                    .filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The single NUL-delimited string in {@code library} that is a version number, if there is exactly one. */
    static Optional<String> versionIn(Path library) {
        Set<String> found = new TreeSet<>();
        try (InputStream in = Files.newInputStream(library)) {
            byte[] buffer = new byte[1 << 16];
            StringBuilder current = new StringBuilder();
            boolean afterNul = true;
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == 0) {
                        if (afterNul && current.length() > 0) {
                            Matcher m = VERSION.matcher(current);
                            if (m.matches()) {
                                found.add(current.toString());
                            }
                        }
                        current.setLength(0);
                        afterNul = true;
                    } else if (current.length() < 8 && ((b >= '0' && b <= '9') || b == '.')) {
                        current.append((char) b);
                    } else {
                        current.setLength(0);
                        afterNul = false; // the digits must be a whole string, not the end of a longer one
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return found.size() == 1 ? Optional.of(found.iterator().next()) : Optional.empty();
    }

    /** Compares two {@code major.minor.patch} versions numerically. */
    static int compare(String a, String b) {
        List<Integer> x = parts(a);
        List<Integer> y = parts(b);
        for (int i = 0; i < 3; i++) {
            int c = Integer.compare(x.get(i), y.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static List<Integer> parts(String version) {
        List<Integer> parts = new ArrayList<>();
        for (String part : version.split("\\.")) {
            parts.add(Integer.parseInt(part));
        }
        while (parts.size() < 3) {
            parts.add(0);
        }
        return parts;
    }
}
