package dev.sluice.functions.ocr;

import dev.sluice.core.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Finds the folder of {@code .traineddata} files for a language list such as {@code eng+deu}. Looks in the folder
 * the step names ({@code tessdata} parameter), then the models that ship in Tess4J's jar ({@code eng}, {@code osd},
 * unpacked once into the cache), then {@code TESSDATA_PREFIX} and the usual system folders. Tesseract reads one
 * folder per engine, so languages found in different folders are linked together into one cached folder.
 */
final class TessData {
    static final Pattern LANGUAGES = Pattern.compile("[A-Za-z0-9_]+(\\+[A-Za-z0-9_]+)*");
    private static final List<String> BUNDLED_FILES = List.of("eng.traineddata", "osd.traineddata", "pdf.ttf");
    private static final List<String> SYSTEM_FOLDERS = List.of(
            "/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
            "/usr/share/tessdata", "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata",
            "/opt/local/share/tessdata");
    private static final Map<String, Path> RESOLVED = new ConcurrentHashMap<>();
    private static volatile Path bundled;

    private TessData() {
    }

    /** The folder holding Tess4J's eng, osd and pdf.ttf, unpacked on first use. */
    static Path bundled() {
        Path folder = bundled;
        if (folder != null) {
            return folder;
        }
        synchronized (TessData.class) {
            if (bundled == null) {
                Path target = NativeTesseract.cacheRoot().resolve("tessdata-tess4j");
                try {
                    for (String file : BUNDLED_FILES) {
                        try (InputStream in = TessData.class.getClassLoader().getResourceAsStream("tessdata/" + file)) {
                            if (in == null) {
                                throw new OcrUnavailableException("tessdata/" + file + " is missing from the class path; "
                                        + "it ships in net.sourceforge.tess4j:tess4j, which sluice-functions-ocr needs.");
                            }
                            NativeTesseract.copyIfChanged(in, -1, target.resolve(file));
                        }
                    }
                } catch (IOException e) {
                    throw new OcrUnavailableException("Cannot unpack Tesseract's language data into " + target + ": "
                            + e.getMessage() + ". Make that folder writable or set -D" + NativeTesseract.CACHE_PROPERTY
                            + " to one that is.", e);
                }
                bundled = target;
            }
            return bundled;
        }
    }

    /** Checks the form of a language list; the files themselves are looked up when an engine starts. */
    static void checkLanguages(String languages) {
        if (!LANGUAGES.matcher(languages).matches()) {
            throw new ConfigException("Parameter 'lang' is '" + languages + "': give Tesseract language codes joined "
                    + "with +, such as eng or eng+deu.");
        }
    }

    /** A folder that has every language of {@code languages}; {@code extraFolder} may be null. */
    static Path folderFor(String languages, Path extraFolder) {
        checkLanguages(languages);
        String cacheKey = languages + "|" + extraFolder;
        Path cached = RESOLVED.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        List<Path> folders = searchFolders(extraFolder);
        Set<String> wanted = new LinkedHashSet<>(List.of(languages.split("\\+")));
        for (Path folder : folders) {
            if (wanted.stream().allMatch(lang -> Files.isRegularFile(folder.resolve(lang + ".traineddata")))) {
                RESOLVED.put(cacheKey, folder);
                return folder;
            }
        }
        List<Path> files = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String lang : wanted) {
            folders.stream().map(f -> f.resolve(lang + ".traineddata")).filter(Files::isRegularFile).findFirst()
                    .ifPresentOrElse(files::add, () -> missing.add(lang));
        }
        if (!missing.isEmpty()) {
            throw new OcrUnavailableException("No Tesseract model for language " + String.join(", ", missing)
                    + " (looked for " + missing.get(0) + ".traineddata in " + folders + "). Install it, e.g. "
                    + "`apt-get install " + debianPackages(missing) + "` on Debian/Ubuntu or `brew install "
                    + "tesseract-lang` on macOS, or download it from the tesseract-ocr tessdata_fast repository into "
                    + "a folder and name that folder in the 'tessdata' parameter (functions.ocr.params.tessdata).");
        }
        Path merged = merge(files);
        RESOLVED.put(cacheKey, merged);
        return merged;
    }

    private static List<Path> searchFolders(Path extraFolder) {
        List<Path> folders = new ArrayList<>();
        if (extraFolder != null) {
            if (!Files.isDirectory(extraFolder)) {
                throw new OcrUnavailableException("The tessdata folder " + extraFolder + " does not exist; fix the "
                        + "'tessdata' parameter or create the folder and put .traineddata files into it.");
            }
            folders.add(extraFolder);
        }
        folders.add(bundled());
        String prefix = System.getenv("TESSDATA_PREFIX");
        if (prefix != null && !prefix.isBlank()) {
            Path p = Path.of(prefix);
            folders.add(Files.isDirectory(p.resolve("tessdata")) ? p.resolve("tessdata") : p);
        }
        for (String folder : SYSTEM_FOLDERS) {
            Path p = Path.of(folder);
            if (Files.isDirectory(p)) {
                folders.add(p);
            }
        }
        return folders;
    }

    /** Links (or copies, where links are not allowed) the model files into one cached folder. */
    private static Path merge(List<Path> files) {
        String id;
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path file : files) {
                digest.update(file.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
            }
            id = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path folder = NativeTesseract.cacheRoot().resolve("tessdata-merged-" + id);
        try {
            Files.createDirectories(folder);
            for (Path file : files) {
                Path link = folder.resolve(file.getFileName());
                if (Files.exists(link)) {
                    continue;
                }
                try {
                    Files.createSymbolicLink(link, file.toAbsolutePath());
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(file, link);
                }
            }
            return folder;
        } catch (IOException e) {
            throw new OcrUnavailableException("Cannot prepare the language folder " + folder + ": " + e.getMessage(), e);
        }
    }

    private static String debianPackages(List<String> languages) {
        return String.join(" ", languages.stream()
                .map(lang -> "tesseract-ocr-" + lang.toLowerCase(Locale.ROOT).replace('_', '-')).toList());
    }
}
