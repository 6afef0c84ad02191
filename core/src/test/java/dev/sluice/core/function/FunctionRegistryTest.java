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
        SluiceFunction ready = named("core-test-ready", prepared::incrementAndGet);
        SluiceFunction broken = named("core-test-broken", () -> {
            throw new UnsatisfiedLinkError("no libfoo in java.library.path");
        });
        FunctionRegistry registry = new FunctionRegistry(List.of(ready, broken));

        registry.prepare("core-test-ready");
        registry.prepare("core-test-broken");

        assertThat(prepared).hasValue(1);
        assertThatThrownBy(() -> registry.prepare("core-test-missing")).isInstanceOf(ConfigException.class);
    }

    private static SluiceFunction named(String name, Runnable prepare) {
        return new SluiceFunction() {
            @Override
            public String name() {
                return name;
            }

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
                prepare.run();
            }

            @Override
            public void apply(Invocation invocation) {
            }
        };
    }

    @Test
    void twoInstancesOfOneClassAreOneFunction() {
        FunctionRegistry registry = new FunctionRegistry(List.of(new CopyFunction(), new CopyFunction()));
        assertThat(registry.all()).hasSize(1);
    }

    @Test
    void twoClassesWithOneNameAreAConfigError() {
        SluiceFunction impostor = new SluiceFunction() {
            @Override
            public String name() {
                return CopyFunction.NAME;
            }

            @Override
            public String description() {
                return "same name";
            }

            @Override
            public List<ParameterSpec> parameters() {
                return List.of();
            }

            @Override
            public void apply(Invocation invocation) {
            }
        };

        assertThatThrownBy(() -> new FunctionRegistry(List.of(new CopyFunction(), impostor)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Two functions are named 'core-test-copy'")
                .hasMessageContaining(CopyFunction.class.getName())
                .hasMessageContaining("Remove one of the jars");
    }

    @Test
    void closeClosesEveryFunction() {
        AtomicInteger closed = new AtomicInteger();
        class Closing extends Object implements SluiceFunction {
            private final String name;

            Closing(String name) {
                this.name = name;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return "";
            }

            @Override
            public List<ParameterSpec> parameters() {
                return List.of();
            }

            @Override
            public void apply(Invocation invocation) {
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        }
        try (FunctionRegistry registry = new FunctionRegistry(List.of(new Closing("a"), new Closing("b")))) {
            assertThat(registry.all()).hasSize(2);
        }
        assertThat(closed).hasValue(2);
    }
}
