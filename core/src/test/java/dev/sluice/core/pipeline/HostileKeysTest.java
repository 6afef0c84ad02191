package dev.sluice.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sluice.core.BadInputException;
import dev.sluice.core.function.OutputSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Object keys are written by whoever can upload. No key may steer an output outside the step's bucket and
 * template prefix, or a local output outside {@code --out}: every hostile key either resolves to a safe key or
 * is refused with a {@link BadInputException}.
 */
class HostileKeysTest {
    static final List<String> TEMPLATES = List.of(
            "thumbs/{dir}/{name}-{width}.{ext}",
            "{key}.txt",
            "{dir}/{name}{suffix}.{ext}",
            "{name}{suffix}.{ext}",
            "out/{bucket}/{key}/{file}.{srcext}.{ext}",
            "p/{name}/{width}/{suffix}/{ext}");

    static final List<String> HOSTILE_KEYS = List.of(
            "../../etc/passwd", "../../../../../../../../etc/shadow", "/abs/key.jpg", "//double/lead.jpg",
            "a/../../b.jpg", "a/b/../../../c.jpg", "..", ".", "...", "/", "//", "./", "../", "/..", "/.", "a/..",
            "a/.", "%2e%2e/x.jpg", "%2E%2E%2Fx.jpg", "%252e%252e/x", "%25252e%25252e/x", "..%2fx", "..%2F..%2Fetc",
            "%2e%2e%5c%2e%2e%5cx", "..\\..\\x", "..\\..\\windows\\win.ini", "a\\..\\..\\b", "C:\\Windows\\x.jpg",
            "\\\\server\\share\\x.jpg", "\uFF0E\uFF0E\uFF0Fetc\uFF0Fpasswd", "\u2025/\u2025/etc/passwd",
            "\u2024\u2024/\u2024\u2024/x.jpg", "\uFE52\uFE52/x.jpg", "\uFF0E\uFF0E\uFF3C\uFF0E\uFF0E\uFF3Cx",
            "..\u2215..\u2215x", "..\u2044x", "evil\u202Egpj.exe", "\u202E../\u202E../x", ".\u200B./x.jpg",
            "\u200B", "\uFEFF../x", "a\u0000b.jpg", "../\u0000../x", "\u0000", "line\nbreak/../x.jpg",
            "cr\r/x", "tab\t.jpg", "\u2028../\u2029../x", "\u1680..\u1680/x", "\u180E../x", "\u205F../x",
            "\u0085..\u0085/x", "..\u00A0/x", "\u3000../x",
            ". ./x", " .. /x", ".. /x", "..%00/x", "%00", "%c0%ae%c0%ae/x", "%e0%80%ae%e0%80%ae/x",
            "\uD800../x", "..\uDFFF/x", "\uE000/../x", "\uFFFE/x", "%", "%%", "%2", "{dir}/{name}", "${HOME}/x",
            "~/x.jpg", "~root/.ssh/authorized_keys", "x/" + "../".repeat(200) + "y.jpg", "a".repeat(2000),
            "d/".repeat(600) + "z.jpg", "\u00E9".repeat(600) + ".jpg", "", " ", "  /  /  ", "Cafe\u0301/../x",
            "\uD83D\uDCF7/../\uD83D\uDCF7.jpg", "CON", "nul.txt", "x:stream", "a?b*c|d<e>f\".jpg");

    @TempDir
    static Path sharedOut;

    static final OutputSpec WIDTH_256 = OutputSpec.of("-256", "jpg", "image/jpeg").with("width", 256);

    static Stream<Arguments> hostileKeysAndTemplates() {
        List<Arguments> cases = new ArrayList<>();
        for (String template : TEMPLATES) {
            for (String key : HOSTILE_KEYS) {
                cases.add(Arguments.of(template, key));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("hostileKeysAndTemplates")
    void hostileKeysResolveSafelyOrAreRefused(String keyTemplate, String sourceKey) {
        checkKey(new OutputTemplate("thumbnails", keyTemplate), sourceKey, WIDTH_256);
        checkLocal(sharedOut, keyTemplate, sourceKey, WIDTH_256, true);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "../../etc/passwd                   | thumbs/etc/passwd-256.jpg",
            "/abs/key.jpg                       | thumbs/abs/key-256.jpg",
            "a/../../b.jpg                      | thumbs/a/b-256.jpg",
            "..                                 | thumbs/_-256.jpg",
            ".                                  | thumbs/_-256.jpg",
            "%2e%2e/x.jpg                       | thumbs/x-256.jpg",
            "%252e%252e/x                       | thumbs/x-256.jpg",
            "..%2fx                             | thumbs/_-256.jpg",
            "\u2025/\u2025/etc/passwd           | thumbs/etc/passwd-256.jpg",
            "\u2024\u2024/x.jpg                 | thumbs/x-256.jpg",
            "\uFF0E\uFF0E\uFF0Fetc\uFF0Fpasswd  | thumbs/.._etc_passwd-256.jpg",
            "evil\u202Egpj.exe                  | thumbs/evilgpj-256.jpg",
            "a\u0000b.jpg                       | thumbs/ab-256.jpg",
            "'line\nbreak/../x.jpg'             | thumbs/linebreak/x-256.jpg",
            "\u2028../\u2029../x               | thumbs/x-256.jpg",
            "\u1680..\u1680/x.jpg              | thumbs/x-256.jpg",
    })
    void hostileKeysAreNeutralisedRatherThanRefused(String sourceKey, String expected) {
        OutputTemplate template = new OutputTemplate("thumbnails", "thumbs/{dir}/{name}-{width}.{ext}");
        assertThat(template.resolveKey("uploads", sourceKey, WIDTH_256)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "../../etc/passwd   | etc/passwd.txt",
            "/abs/key.jpg       | abs/key.jpg.txt",
            "a/../../b.jpg      | a/b.jpg.txt",
            "..\\..\\x          | x.txt",
            "%2e%2e/x.jpg       | x.jpg.txt",
    })
    void wholeKeyVariableDropsUnsafeSegments(String sourceKey, String expected) {
        assertThat(new OutputTemplate("out", "{key}.txt").resolveKey("in", sourceKey, WIDTH_256)).isEqualTo(expected);
    }

    @Test
    void hostileFunctionVariablesCannotAddSegments(@TempDir Path outDir) {
        List<OutputSpec> specs = List.of(
                OutputSpec.of("-256", "jpg", "image/jpeg").with("width", "../../x"),
                OutputSpec.of("-256", "jpg", "image/jpeg").with("width", ".."),
                OutputSpec.of("-256", "jpg", "image/jpeg").with("width", "/etc/passwd"),
                OutputSpec.of("-256", "jpg", "image/jpeg").with("width", "%2e%2e"),
                OutputSpec.of("-256", "jpg", "image/jpeg").with("width", "\u2025"),
                OutputSpec.of("-256", "jpg", "image/jpeg").with("width", "a\\..\\b"),
                OutputSpec.of("/../../", "../../sh", "text/plain").with("width", 1),
                OutputSpec.of("\u2025\uFF0F", "\uFF0F..", "text/plain").with("width", "\u202E"),
                OutputSpec.of("", "", "text/plain").with("width", ""));
        for (OutputSpec spec : specs) {
            for (String keyTemplate : TEMPLATES) {
                OutputTemplate template = new OutputTemplate("out", keyTemplate);
                checkKey(template, "dir/photo.jpg", spec);
                checkLocal(outDir, keyTemplate, "dir/photo.jpg", spec, true);
            }
        }
        OutputTemplate template = new OutputTemplate("out", "thumbs/{dir}/{name}-{width}.{ext}");
        assertThat(template.resolveKey("in", "a/b.jpg", specs.get(0))).isEqualTo("thumbs/a/b-.._.._x.jpg");
        assertThat(template.resolveKey("in", "a/b.jpg", specs.get(1))).isEqualTo("thumbs/a/b-__.jpg");
        assertThat(template.resolveKey("in", "a/b.jpg", specs.get(2))).isEqualTo("thumbs/a/b-_etc_passwd.jpg");
    }

    @Test
    void randomKeysFromAHostileAlphabetNeverEscape(@TempDir Path outDir) {
        String[] pieces = {"..", ".", "/", "//", "\\", "%2e", "%2E", "%2f", "%2F", "%5c", "%25", "%252e", "%", "+",
                "\u2024", "\u2025", "\uFF0E", "\uFF0F", "\uFF3C", "\uFE52", "\u2215", "\u202E", "\u200B", "\uFEFF",
                "\u0000", "\n", "\r", "\t", "\u0085", "\u2028", "\u2029", "\u1680", "\u00A0", "\u3000", " ", "a", "b", "Ä", "e\u0301",
                "\uD83D\uDCF7", "\uD800", "\uFFFE", "\uE000", "~", ":", "{", "}", "x.jpg", ".png", "name"};
        Random random = new Random(20240514L);
        int resolved = 0;
        for (int i = 0; i < 2000; i++) {
            StringBuilder key = new StringBuilder();
            int length = 1 + random.nextInt(12);
            for (int j = 0; j < length; j++) {
                key.append(pieces[random.nextInt(pieces.length)]);
            }
            String keyTemplate = TEMPLATES.get(random.nextInt(TEMPLATES.size()));
            OutputSpec spec = random.nextInt(4) == 0
                    ? OutputSpec.of(pieces[random.nextInt(pieces.length)], "jpg", "image/jpeg")
                            .with("width", pieces[random.nextInt(pieces.length)])
                    : WIDTH_256;
            if (checkKey(new OutputTemplate("thumbnails", keyTemplate), key.toString(), spec)) {
                resolved++;
            }
            checkLocal(outDir, keyTemplate, key.toString(), spec, i % 25 == 0);
        }
        assertThat(resolved).as("most hostile keys are neutralised, not refused").isGreaterThan(1300);
    }

    /** Resolves and checks one key; false when it was refused (which is safe). Plain checks: this runs often. */
    static boolean checkKey(OutputTemplate template, String sourceKey, OutputSpec spec) {
        String key;
        try {
            key = template.resolveKey("uploads", sourceKey, spec);
        } catch (BadInputException refused) {
            return false;
        } catch (RuntimeException e) {
            throw new AssertionError("Key " + escape(sourceKey) + " with " + template + " failed with " + e, e);
        }
        String where = escape(sourceKey) + " -> " + escape(key) + " (" + template + ")";
        check(key.startsWith(template.staticPrefix()), "outside the template prefix", where);
        check(!key.startsWith("/") && !key.contains("\\"), "absolute or backslash", where);
        check(key.getBytes(StandardCharsets.UTF_8).length <= 1024, "longer than 1024 bytes", where);
        checkSegments(key, where);
        // What a consumer that folds compatibility characters would see must be just as safe.
        checkSegments(Normalizer.normalize(key, Normalizer.Form.NFKC), where + " after NFKC");
        key.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            check(!(Character.isISOControl(cp) || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
                    || type == Character.PRIVATE_USE || type == Character.UNASSIGNED),
                    String.format("control, format or odd code point U+%04X", cp), where);
        });
        return true;
    }

    static void checkSegments(String key, String where) {
        for (String segment : key.split("/", -1)) {
            check(!segment.isEmpty() && !segment.equals(".") && !segment.equals(".."), "empty or dot segment", where);
            check(!segment.strip().replace(".", "").isEmpty(), "dots-only segment", where);
            check(!SafeKeys.isUnsafeSegment(segment), "unsafe segment " + escape(segment), where);
        }
    }

    static void checkLocal(Path outDir, String keyTemplate, String sourceKey, OutputSpec spec, boolean write) {
        Path root = outDir.toAbsolutePath().normalize();
        Path target;
        try {
            target = OutputTemplate.resolveLocal(outDir, keyTemplate, sourceKey, spec);
        } catch (BadInputException refused) {
            return;
        } catch (RuntimeException e) {
            throw new AssertionError("Local path for " + escape(sourceKey) + " failed with " + e, e);
        }
        String where = escape(sourceKey) + " -> " + escape(target.toString());
        check(target.isAbsolute() && target.equals(target.normalize()), "not absolute and normal", where);
        check(target.startsWith(root) && !target.equals(root), "outside --out", where);
        for (Path name : root.relativize(target)) {
            check(!List.of(".", "..", "").contains(name.toString()), "dot segment", where);
        }
        if (write) {
            // The file system is the final judge: create it and see where it really is.
            try {
                Files.createDirectories(target.getParent());
                Files.writeString(target, "x");
                check(target.toRealPath().startsWith(root.toRealPath()), "written outside --out", where);
            } catch (IOException e) {
                // e.g. a segment longer than the file system allows: an error, not an escape
            }
        }
    }

    static void check(boolean ok, String problem, String where) {
        if (!ok) {
            fail(problem + ": " + where);
        }
    }

    static String escape(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp > 0x7E) {
                out.append(String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.length() > 200 ? out.substring(0, 200) + "..." : out.toString();
    }
}
