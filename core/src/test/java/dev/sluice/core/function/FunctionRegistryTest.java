package dev.sluice.core.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ConfigException;
import dev.sluice.core.testfunctions.CopyFunction;
import dev.sluice.core.testfunctions.ParamsFunction;
import dev.sluice.core.testfunctions.TestFunctions;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FunctionRegistryTest {

    @Test
    void serviceLoaderFindsRegisteredFunctions() {
        FunctionRegistry registry = TestFunctions.registry();

        assertThat(registry.all()).extracting(SluiceFunction::name)
                .containsExactly(CopyFunction.NAME, ParamsFunction.NAME);
        assertThat(registry.contains(ParamsFunction.NAME)).isTrue();
        assertThat(registry.get(ParamsFunction.NAME)).isInstanceOf(ParamsFunction.class);
        assertThat(registry.contains("thumbnail")).isFalse();
    }

    @Test
    void unknownNameListsTheAvailableFunctions() {
        FunctionRegistry registry = TestFunctions.registry();

        assertThatThrownBy(() -> registry.get("thumbnial"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Unknown function 'thumbnial'")
                .hasMessageContaining("Available functions: core-test-copy, core-test-params.");
    }

    @Test
    void emptyRegistrySaysWhereFunctionsComeFrom() {
        assertThatThrownBy(() -> new FunctionRegistry(List.of()).get("thumbnail"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("none (is a functions jar on the class path?)");
    }

    @Test
    void coresOwnClassPathRegistersNoFunctions() {
        // Core ships no functions, and its test functions are deliberately not on the default service path.
        assertThat(FunctionRegistry.load(FunctionRegistryTest.class.getClassLoader()).all())
                .extracting(SluiceFunction::name)
                .doesNotContain(CopyFunction.NAME, ParamsFunction.NAME);
    }

    @Test
    void prepareRunsTheFunctionsSetUpAndAFailingOneIsLoggedNotThrown() {
        AtomicInteger prepared = new AtomicInteger();
        Runnable nothing = () -> { };
        SluiceFunction ready = new Stub("core-test-ready", prepared::incrementAndGet, nothing);
        SluiceFunction broken = new Stub("core-test-broken", () -> {
            throw new UnsatisfiedLinkError("no libfoo in java.library.path");
        }, nothing);
        FunctionRegistry registry = new FunctionRegistry(List.of(ready, broken));

        registry.prepare("core-test-ready");
        registry.prepare("core-test-broken");

        assertThat(prepared).hasValue(1);
        assertThatThrownBy(() -> registry.prepare("core-test-missing")).isInstanceOf(ConfigException.class);
    }

    @Test
    void twoInstancesOfOneClassAreOneFunction() {
        FunctionRegistry registry = new FunctionRegistry(List.of(new CopyFunction(), new CopyFunction()));
        assertThat(registry.all()).hasSize(1);
    }

    @Test
    void twoClassesWithOneNameAreAConfigError() {
        Runnable nothing = () -> { };
        SluiceFunction impostor = new Stub(CopyFunction.NAME, nothing, nothing);

        assertThatThrownBy(() -> new FunctionRegistry(List.of(new CopyFunction(), impostor)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Two functions are named 'core-test-copy'")
                .hasMessageContaining(CopyFunction.class.getName())
                .hasMessageContaining("Remove one of the jars");
    }

    @Test
    void closeClosesEveryFunction() {
        AtomicInteger closed = new AtomicInteger();
        Runnable nothing = () -> { };
        try (FunctionRegistry registry = new FunctionRegistry(List.of(
                new Stub("a", nothing, closed::incrementAndGet), new Stub("b", nothing, closed::incrementAndGet)))) {
            assertThat(registry.all()).hasSize(2);
        }
        assertThat(closed).hasValue(2);
    }

    /** A function that does nothing but run the given actions when prepared and closed. */
    private record Stub(String name, Runnable onPrepare, Runnable onClose) implements SluiceFunction {
        @Override
        public String description() {
            return "test";
        }

        @Override
        public List<ParameterSpec> parameters() {
            return List.of();
        }

        @Override
        public void prepare() {
            onPrepare.run();
        }

        @Override
        public void apply(Invocation invocation) {
        }

        @Override
        public void close() {
            onClose.run();
        }
    }
}
