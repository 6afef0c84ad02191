package dev.sluice.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.BadInputException;
import dev.sluice.core.ConfigException;
import dev.sluice.core.function.OutputSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class OutputTemplateTest {
    static final OutputSpec JPEG_256 = OutputSpec.of("-256", "jpg", "image/jpeg").with("width", 256);

    @Test
    void parsesBucketAndKeyTemplate() {
        OutputTemplate template = OutputTemplate.parse("s3://thumbnails/{dir}/{name}-{width}.{ext}");

        assertThat(template.bucket()).isEqualTo("thumbnails");
        assertThat(template.keyTemplate()).isEqualTo("{dir}/{name}-{width}.{ext}");
        assertThat(template.staticPrefix()).isEmpty();
        assertThat(template).hasToString("s3://thumbnails/{dir}/{name}-{width}.{ext}");
        assertThat(OutputTemplate.parse(template.toString())).isEqualTo(template);
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3://thumbnails", "s3://thumbnails/"})
    void bucketAloneUsesTheDefaultTemplate(String uri) {
        OutputTemplate template = OutputTemplate.parse(uri);

        assertThat(template.keyTemplate()).isEqualTo(OutputTemplate.DEFAULT_KEY_TEMPLATE);
        assertThat(template.resolveKey("uploads", "trip/beach.jpg", OutputSpec.of("-small", "png", "image/png")))
                .isEqualTo("trip/beach-small.png");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "s3://bkt/thumbs/{dir}/{name}-{width}.{ext}  | thumbs/",
            "s3://bkt/thumbs/small-{name}.{ext}          | thumbs/small-",
            "s3://bkt/{key}.txt                          | ''",
            "s3://bkt/fixed/name.txt                     | fixed/name.txt",
            "s3://bkt/a/b/c/{name}                       | a/b/c/",
    })
    void staticPrefixIsTheLiteralBeforeTheFirstVariable(String uri, String prefix) {
        assertThat(OutputTemplate.parse(uri).staticPrefix()).isEqualTo(prefix);
    }

    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "thumbs/{dir}/{name}-{width}.{ext}  | fotos/Ärger 1.jpg       | thumbs/fotos/Ärger 1-256.jpg",
            "thumbs/{dir}/{name}-{width}.{ext}  | a.b.c.jpg               | thumbs/a.b.c-256.jpg",
            "thumbs/{dir}/{name}-{width}.{ext}  | x/.hidden               | thumbs/x/.hidden-256.jpg",
            "thumbs/{dir}/{name}-{width}.{ext}  | deep/er/photo           | thumbs/deep/er/photo-256.jpg",
            "thumbs/{dir}/{name}-{width}.{ext}  | my photo (1).JPG        | thumbs/my photo (1)-256.jpg",
            "thumbs/{dir}/{name}-{width}.{ext}  | 日本/写真.png           | thumbs/日本/写真-256.jpg",
            "{dir}/{name}{suffix}.{ext}         | trip/beach.jpg          | trip/beach-256.jpg",
            "{dir}/{name}{suffix}.{ext}         | beach.jpg               | beach-256.jpg",
            "{key}.txt                          | docs/report.pdf         | docs/report.pdf.txt",
            "{bucket}/{file}/{srcext}/{name}    | a/photo.jpeg            | uploads/photo.jpeg/jpeg/photo",
            "by-width/{width}/{key}             | a/b c/d+e%.png          | by-width/256/a/b c/d+e%.png",
    })
    void ordinaryKeysResolveSensibly(String keyTemplate, String sourceKey, String expected) {
        OutputTemplate template = new OutputTemplate("out", keyTemplate);
        assertThat(template.resolveKey("uploads", sourceKey, JPEG_256)).isEqualTo(expected);
    }

    @Test
    void functionVariablesFillTheTemplateAndCannotOverrideInputVariables() {
        OutputTemplate template = new OutputTemplate("out", "{dir}/{name}/page-{page}.{ext}");
        OutputSpec spec = OutputSpec.of("-p3", "png", "image/png").with("page", 3).with("name", "evil").with("dir", "..");

        assertThat(template.resolveKey("in", "docs/manual.pdf", spec)).isEqualTo("docs/manual/page-3.png");
    }

    @Test
    void unknownVariableIsReportedWithTheAvailableOnes() {
        OutputTemplate template = new OutputTemplate("out", "{dir}/{name}-{height}.{ext}");

        assertThatThrownBy(() -> template.resolveKey("in", "a.jpg", JPEG_256))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("{height}")
                .hasMessageContaining("width")
                .hasMessageContaining("name");
    }

    @Test
    void resolveLocalStaysInsideTheOutputFolder(@TempDir Path outDir) {
        Path path = OutputTemplate.resolveLocal(outDir, "{name}{suffix}.{ext}", "../../etc/passwd", JPEG_256);

        assertThat(path).isEqualTo(outDir.toAbsolutePath().normalize().resolve("passwd-256.jpg"));
    }

    @Test
    void resolveLocalWithARelativeOutputFolderIsAbsolute() {
        Path path = OutputTemplate.resolveLocal(Path.of("out/../out"), "{dir}/{name}{suffix}.{ext}", "a/b.jpg", JPEG_256);

        assertThat(path).isAbsolute().isEqualTo(Path.of("out").toAbsolutePath().normalize().resolve("a/b-256.jpg"));
    }

    @Test
    void emptyFileNameIsRefused() {
        OutputTemplate template = new OutputTemplate("out", "thumbs/{name}");
        assertThatThrownBy(() -> template.resolveKey("in", "folder/", JPEG_256))
                .isInstanceOf(BadInputException.class).hasMessageContaining("empty file name");
    }

    @Test
    void overlongKeysAreRefused() {
        OutputTemplate template = new OutputTemplate("out", "{dir}/{name}{suffix}.{ext}");
        String longKey = "d/".repeat(400) + "x".repeat(300) + ".jpg";

        assertThatThrownBy(() -> template.resolveKey("in", longKey, JPEG_256))
                .isInstanceOf(BadInputException.class).hasMessageContaining("1024 bytes");
    }

    @Test
    void keyLengthIsCountedInUtf8Bytes() {
        OutputTemplate template = new OutputTemplate("out", "{name}.{ext}");
        String name = "é".repeat(509); // 1018 bytes + ".jpg" = 1022 bytes: allowed
        assertThat(template.resolveKey("in", name + ".png", JPEG_256)).hasSize(513);
        String tooLong = "é".repeat(511); // 1022 bytes + ".jpg" = 1026 bytes
        assertThatThrownBy(() -> template.resolveKey("in", tooLong + ".png", JPEG_256))
                .isInstanceOf(BadInputException.class);
    }

    // ---- config-time errors ----

    @ParameterizedTest(name = "[{index}] {0}")
    @NullSource
    @ValueSource(strings = {"thumbs/{name}.{ext}", "http://b/{name}", "s3:/b/{name}", "S3://b/{name}", "", " s3://bucket/x"})
    void outputMustBeAnS3Uri(String uri) {
        assertThatThrownBy(() -> OutputTemplate.parse(uri))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must look like s3://bucket/");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"s3://", "s3:///{name}", "s3://Thumbs/{name}", "s3://ab/{name}", "s3://-bucket/{name}",
            "s3://bucket-/{name}", "s3://buck_et/{name}", "s3://buck et/{name}", "s3://../{name}",
            "s3://a234567890123456789012345678901234567890123456789012345678901234/{name}"})
    void badBucketNamesAreRejected(String uri) {
        assertThatThrownBy(() -> OutputTemplate.parse(uri))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a valid bucket name");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"s3://b1b/{name", "s3://b1b/name}.{ext}", "s3://b1b/{na{me}}", "s3://b1b/{}.{ext}",
            "s3://b1b/{1x}.{ext}", "s3://b1b/{ name }.{ext}", "s3://b1b/{name}.{ext"})
    void unbalancedOrInvalidVariablesAreRejected(String uri) {
        assertThatThrownBy(() -> OutputTemplate.parse(uri))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unbalanced or invalid {variable}");
    }

    @Test
    void templateMustNotStartWithASlash() {
        assertThatThrownBy(() -> OutputTemplate.parse("s3://bucket//{name}.{ext}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must not start with '/'");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "s3://bucket/../{name}.{ext}",
            "s3://bucket/./{name}.{ext}",
            "s3://bucket/a/../../{name}.{ext}",
            "s3://bucket/a/..",
            "s3://bucket/..",
            // after a variable: the literal part is still written as given
            "s3://bucket/{dir}/../{name}.{ext}",
            "s3://bucket/{dir}/./{name}.{ext}",
            "s3://bucket/{dir}/{name}/..",
            // encoded and look-alike dots mean the same thing to some consumer
            "s3://bucket/%2e%2e/{name}.{ext}",
            "s3://bucket/{dir}/%2E%2E/{name}.{ext}",
            "s3://bucket/\u2025/{name}.{ext}",
            "s3://bucket/.../{name}.{ext}",
    })
    void dotSegmentsInTheLiteralPartAreRejected(String uri) {
        assertThatThrownBy(() -> OutputTemplate.parse(uri))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'..'");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"s3://bucket/thumbs//{name}.{ext}", "s3://bucket/{dir}//{name}.{ext}",
            "s3://bucket/thumbs/", "s3://bucket/{dir}/", "s3://bucket/a\\b/{name}"})
    void emptySegmentsAndBackslashesInTheLiteralPartAreRejected(String uri) {
        assertThatThrownBy(() -> OutputTemplate.parse(uri)).isInstanceOf(ConfigException.class);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"s3://bucket/{dir}/{name}..{ext}", "s3://bucket/.thumbs/{name}.{ext}",
            "s3://bucket/v1.2/{name}.{ext}", "s3://bucket/{name}.tar.gz", "s3://my.bucket-01/{key}",
            "s3://bucket/{dir}/.{name}.{ext}"})
    void dotsInsideSegmentsAreFine(String uri) {
        OutputTemplate template = OutputTemplate.parse(uri);
        assertThat(template.resolveKey("in", "a/b.jpg", JPEG_256)).startsWith(template.staticPrefix());
    }
}
