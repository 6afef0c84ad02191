package dev.sluice.core.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ConfigException;
import dev.sluice.core.testfunctions.ParamsFunction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ParametersTest {
    static final SluiceFunction FUNCTION = new ParamsFunction();

    static Parameters of(String name, String value) {
        Map<String, String> given = new HashMap<>();
        given.put(name, value);
        return Parameters.of(FUNCTION, given);
    }

    static void rejected(String name, String value, String description) {
        assertThatThrownBy(() -> of(name, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Parameter '" + name + "' of function '" + ParamsFunction.NAME + "'")
                .hasMessageContaining("'" + value.trim() + "'")
                .hasMessageContaining(description);
    }

    @Test
    void defaultsFillTheGaps() {
        Parameters parameters = Parameters.of(FUNCTION, Map.of());

        assertThat(parameters.getIntList("width")).containsExactly(256);
        assertThat(parameters.getChoice("format")).isEqualTo("jpeg");
        assertThat(parameters.getDouble("quality")).isEqualTo(0.8);
        assertThat(parameters.getInt("pages")).isEqualTo(1);
        assertThat(parameters.getLong("pages")).isEqualTo(1L);
        assertThat(parameters.getBoolean("strip")).isTrue();
        assertThat(parameters.has("box")).isFalse();
        assertThat(parameters.find("box")).isEmpty();
        assertThat(parameters.find("format")).contains("jpeg");
        assertThat(parameters.asMap()).isEqualTo(Map.of("width", "256", "format", "jpeg", "quality", "0.8",
                "pages", "1", "strip", "true"));
        assertThat(parameters.toString()).isEqualTo("width=256 format=jpeg quality=0.8 pages=1 strip=true");
    }

    @Test
    void givenValuesOverrideDefaultsTypedOnesTrimmedFreeTextKeptAsWritten() {
        Parameters parameters = Parameters.of(FUNCTION, Map.of("width", " 128 , 1024 ", "label", "  hello world "));

        assertThat(parameters.getIntList("width")).containsExactly(128, 1024);
        assertThat(parameters.get("label")).isEqualTo("  hello world "); // e.g. a password may have spaces
        assertThat(parameters.asMap()).containsEntry("width", "128 , 1024");
    }

    @Test
    void missingValueWithoutDefaultSaysWhichParameterAndWhatItIs() {
        Parameters parameters = Parameters.of(FUNCTION, Map.of());
        assertThatThrownBy(() -> parameters.get("box"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("needs parameter 'box'")
                .hasMessageContaining("Bounding box");
    }

    @Test
    void emptyOrNullValueMeansNotGiven() {
        assertThat(of("label", "").has("label")).isFalse();
        assertThat(of("label", null).has("label")).isFalse();
        assertThat(of("pages", "  ").has("pages")).as("blank overrides the default and is not type-checked").isFalse();
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> Parameters.of(FUNCTION, Map.of("widht", "5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Unknown parameter 'widht' for function 'core-test-params'")
                .hasMessageContaining("Known parameters: width, box, format, quality, pages, strip, label.");
    }

    @Test
    void askingForAnUndeclaredParameterIsAProgrammingError() {
        Parameters parameters = Parameters.of(FUNCTION, Map.of());
        assertThatThrownBy(() -> parameters.get("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("declares no parameter 'nope'");
        assertThat(parameters.has("nope")).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "42, 42", "-3, -3", "+7, 7", "2147483647, 2147483647"})
    void integers(String value, int expected) {
        assertThat(of("pages", value).getInt("pages")).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"many", "1.5", "1e3", "0x10", "2147483648", "1 2"})
    void badIntegers(String value) {
        rejected("pages", value, "an integer");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"256|256", "256,1024|256;1024", "1, 2 ,3|1;2;3", "64,|64"})
    void integerLists(String value, String expected) {
        List<Integer> list = of("width", value).getIntList("width");
        assertThat(list).containsExactlyElementsOf(
                java.util.Arrays.stream(expected.split(";")).map(Integer::valueOf).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"wide", "256;1024", "256,,1024", ",256", "0", "-256", "256,0", "256 1024", "1.5",
            "99999999999"})
    void badIntegerLists(String value) {
        rejected("width", value, "comma-separated list of positive integers such as 256,1024");
    }

    @ParameterizedTest
    @CsvSource({"0.5, 0.5", "1, 1.0", "1e-1, 0.1", "-2.5, -2.5"})
    void doubles(String value, double expected) {
        assertThat(of("quality", value).getDouble("quality")).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"high", "0,5", "NaN", "Infinity", "-Infinity", "1e999"})
    void badDoubles(String value) {
        rejected("quality", value, "a number");
    }

    @ParameterizedTest
    @CsvSource({"true, true", "TRUE, true", "False, false", "false, false"})
    void booleans(String value, boolean expected) {
        assertThat(of("strip", value).getBoolean("strip")).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no", "1", "0", "on", "t"})
    void badBooleans(String value) {
        rejected("strip", value, "true or false");
    }

    @ParameterizedTest
    @CsvSource({"jpeg, jpeg", "PNG, png", "Jpeg, jpeg"})
    void choicesAreCaseInsensitiveAndLowerCased(String value, String expected) {
        assertThat(of("format", value).getChoice("format")).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gif", "jpg", "jpeg,png", "jpe g"})
    void badChoicesListTheAllowedOnes(String value) {
        rejected("format", value, "one of jpeg, png");
    }

    @ParameterizedTest
    @CsvSource({"640x480, 640, 480", "640X480, 640, 480", "' 640 x 480 ', 640, 480", "1x1, 1, 1"})
    void dimensions(String value, int width, int height) {
        assertThat(of("box", value).getDimensions("box")).containsExactly(width, height);
    }

    @ParameterizedTest
    @ValueSource(strings = {"640", "640x", "x480", "640x480x3", "0x480", "640x0", "-640x480", "640*480",
            "640×480", "axb", "640x480px"})
    void badDimensions(String value) {
        rejected("box", value, "a size such as 640x480");
    }

    @Test
    void stringsTakeAnything() {
        assertThat(of("label", "../../etc ${x} ✓").get("label")).isEqualTo("../../etc ${x} ✓");
    }

    @Test
    void badDefaultsAreCaughtToo() {
        SluiceFunction broken = new SluiceFunction() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public String description() {
                return "declares a bad default";
            }

            @Override
            public List<ParameterSpec> parameters() {
                return List.of(ParameterSpec.of("n", ParameterType.INT, "ten", "a number"));
            }

            @Override
            public void apply(Invocation invocation) {
            }
        };
        assertThatThrownBy(() -> Parameters.of(broken, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'ten'");
        assertThat(Parameters.of(broken, Map.of("n", "10")).getInt("n")).isEqualTo(10);
    }

    @Test
    void parseAssignmentsFromTheCommandLine() {
        assertThat(Parameters.parseAssignments(List.of("width=256,1024", " format = png ", "label=a=b", "empty=")))
                .containsExactly(Map.entry("width", "256,1024"), Map.entry("format", " png "),
                        Map.entry("label", "a=b"), Map.entry("empty", ""));
        for (String bad : List.of("width", "=256", "")) {
            assertThatThrownBy(() -> Parameters.parseAssignments(List.of(bad)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("must look like name=value");
        }
    }

    @Test
    void parameterSpecs() {
        ParameterSpec choice = ParameterSpec.oneOf("format", "jpeg", "Output format.", "jpeg", "png");
        assertThat(choice.type()).isEqualTo(ParameterType.ENUM);
        assertThat(choice.allowed()).containsExactly("jpeg", "png");
        ParameterSpec plain = new ParameterSpec("x", ParameterType.STRING, null, null, null);
        assertThat(plain.description()).isEmpty();
        assertThat(plain.allowed()).isEmpty();
    }
}
