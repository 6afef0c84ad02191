package dev.sluice.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SafeKeysTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "", ".", "..", "...", "....", " .. ", "..\t", "%2e", "%2E", "%2e%2e", "%2E%2e", ".%2e", "%2e.",
            "%252e%252e", "%25252e%25252e", "..%2f", "..%2F", "%2f", "a%2fb", "a%5cb", "..%5c", "\\", "a\\b",
            "\u2025", "\u2024\u2024", "\uFF0E\uFF0E", "\uFE52", "%E2%80%A5", "%EF%BC%8E%EF%BC%8E", "a/b",
            // dots wrapped in Unicode spaces that trim() keeps but many tools strip
            "\u1680..\u1680", "\u2028..", "..\u2029", "\u00A0..", "\u3000.\u3000", "%E1%9A%80..", " \u0000.. ",
    })
    void parentHereEmptyAndSeparatorSegmentsAreUnsafe(String segment) {
        assertThat(SafeKeys.isUnsafeSegment(segment)).isTrue();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "a", ".hidden", "a.b.c.jpg", "..a", "a..", "%", "%zz", "100%", "a+b", "%41", "Ärger 1.jpg", "日本語",
            "-", "_", "~", "x.", ".x.", "%2e%2ex",
    })
    void ordinarySegmentsAreSafe(String segment) {
        assertThat(SafeKeys.isUnsafeSegment(segment)).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "../../etc/passwd          | etc/passwd",
            "/abs/key.jpg              | abs/key.jpg",
            "a/../../b.jpg             | a/b.jpg",
            "a/./b                     | a/b",
            "a//b///c                  | a/b/c",
            "..\\..\\x                 | x",
            "a\\b\\c.jpg               | a/b/c.jpg",
            "%2e%2e/x.jpg              | x.jpg",
            "%252e%252e/x              | x",
            "..%2fx/y                  | y",
            "..                        | ''",
            ".                         | ''",
            "''                        | ''",
            "fotos/Ärger 1.jpg         | fotos/Ärger 1.jpg",
            "a.b/.hidden/c.d.jpg       | a.b/.hidden/c.d.jpg",
            "trailing/                 | trailing",
    })
    void sanitizePathKeepsSafeSegmentsOnly(String value, String expected) {
        assertThat(SafeKeys.sanitizePath(value)).isEqualTo(expected);
    }

    @Test
    void sanitizePathFoldsUnicodeLookAlikesBeforeCheckingSegments() {
        assertThat(SafeKeys.sanitizePath("\uFF0E\uFF0E\uFF0Fetc\uFF0Fpasswd")).isEqualTo("etc/passwd");
        assertThat(SafeKeys.sanitizePath("\u2025/\u2025/etc/passwd")).isEqualTo("etc/passwd");
        assertThat(SafeKeys.sanitizePath("\u2024\u2024/x")).isEqualTo("x");
        assertThat(SafeKeys.sanitizePath("a\uFF3C..\uFF3Cb")).isEqualTo("a/b");
        assertThat(SafeKeys.sanitizePath(".\u200B./x")).as("zero-width space removed, then '..' seen").isEqualTo("x");
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "photo            | photo",
            ".hidden          | .hidden",
            "a.b.c            | a.b.c",
            "..               | __",
            ".                | _",
            "...              | ___",
            "a/b              | a_b",
            "a\\b             | a_b",
            "../..            | .._..",
            "%2e%2e           | _2e_2e",
            "%252e%252e       | _252e_252e",
            "''               | ''",
            "256              | 256",
            "Ärger 1          | Ärger 1",
    })
    void sanitizeSegmentNeverLeavesASeparatorOrDotSegment(String value, String expected) {
        assertThat(SafeKeys.sanitizeSegment(value)).isEqualTo(expected);
    }

    @Test
    void sanitizeSegmentFoldsLookAlikes() {
        assertThat(SafeKeys.sanitizeSegment("\u2025")).isEqualTo("__");
        assertThat(SafeKeys.sanitizeSegment("\uFF0F")).isEqualTo("_");
        assertThat(SafeKeys.sanitizeSegment("a\uFF3Cb")).isEqualTo("a_b");
        assertThat(SafeKeys.sanitizeSegment("\uFF21\uFF22")).isEqualTo("AB");
    }

    @Test
    void controlFormatAndBidiCharactersAreRemoved() {
        assertThat(SafeKeys.cleanCharacters("a\u0000b\u0001c\u001Fd\u007Fe\u0085f")).isEqualTo("abcdef");
        assertThat(SafeKeys.cleanCharacters("tab\there\nnew\rline")).isEqualTo("tabherenewline");
        assertThat(SafeKeys.cleanCharacters("evil\u202Egpj.exe")).isEqualTo("evilgpj.exe");
        assertThat(SafeKeys.cleanCharacters("\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069\u200E\u200Fx")).isEqualTo("x");
        assertThat(SafeKeys.cleanCharacters("zero\u200Bwidth\u200Cjoin\u200D\uFEFFbom\u00ADshy")).isEqualTo("zerowidthjoinbomshy");
        assertThat(SafeKeys.cleanCharacters("private\uE000use")).isEqualTo("privateuse");
        assertThat(SafeKeys.cleanCharacters("lone\uD800surrogate")).isEqualTo("lonesurrogate");
        assertThat(SafeKeys.cleanCharacters("non\uFFFEchar")).isEqualTo("nonchar");
        assertThat(SafeKeys.cleanCharacters(null)).isEmpty();
    }

    @Test
    void lineAndParagraphSeparatorsAreRemoved() {
        // Invisible line breaks: they split log lines and confuse anything that reads keys line by line.
        assertThat(SafeKeys.cleanCharacters("a\u2028b\u2029c")).isEqualTo("abc");
    }

    @Test
    void ordinaryUnicodeIsKeptInComposedForm() {
        assertThat(SafeKeys.cleanCharacters("fotos/Ärger 1.jpg")).isEqualTo("fotos/Ärger 1.jpg");
        assertThat(SafeKeys.cleanCharacters("日本語 📷.png")).isEqualTo("日本語 📷.png");
        // NFKC composes decomposed names (as macOS writes them) and folds compatibility forms.
        assertThat(SafeKeys.cleanCharacters("Cafe\u0301")).isEqualTo("Café");
        assertThat(SafeKeys.cleanCharacters("\uFB01le")).isEqualTo("file");
    }
}
