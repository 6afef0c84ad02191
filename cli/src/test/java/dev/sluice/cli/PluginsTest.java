package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.function.FunctionRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Function jars in a plugins folder: compiled and packed here, loaded in their own class loaders. */
class PluginsTest {

    /** Compiles one SluiceFunction and packs it with its service file, as a user's build would. */
    static Path buildPluginJar(Path dir, String name, String functionName) throws Exception {
        Path src = Files.createDirectories(dir.resolve(name + "-src/example"));
        Files.writeString(src.resolve("Shout.java"), """
                package example;
                import dev.sluice.core.function.*;
                import java.util.List;
                public final class Shout implements SluiceFunction {
                    public String name() { return "%s"; }
                    public String description() { return "Upper-cases text."; }
                    public List<ParameterSpec> parameters() { return List.of(); }
                    public void apply(Invocation invocation) throws Exception {
                        String text = new String(invocation.input().openStream().readAllBytes());
                        invocation.outputs().write(OutputSpec.of("-shout", "txt", "text/plain"), text.toUpperCase().getBytes());
                    }
                }
                """.formatted(functionName));
        Path classes = Files.createDirectories(dir.resolve(name + "-classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                src.resolve("Shout.java").toString());
        assertThat(status).isZero();
        Path jar = dir.resolve(name + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("example/Shout.class"));
            out.write(Files.readAllBytes(classes.resolve("example/Shout.class")));
            out.putNextEntry(new JarEntry("META-INF/services/dev.sluice.core.function.SluiceFunction"));
            out.write("example.Shout\n".getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    static Path brokenPluginJar(Path dir) throws Exception {
        Path jar = dir.resolve("broken.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/dev.sluice.core.function.SluiceFunction"));
            out.write("example.DoesNotExist\n".getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    @Test
    void pluginFunctionsLoadBesideBuiltInsAndABrokenJarDoesNotStopThem(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.move(buildPluginJar(dir, "shout", "shout"), plugins.resolve("shout.jar"));
        Files.move(brokenPluginJar(dir), plugins.resolve("broken.jar"));

        try (FunctionRegistry functions = Functions.load(plugins)) {
            assertThat(functions.contains("shout")).isTrue();
            assertThat(functions.contains("thumbnail")).isTrue();
            assertThat(functions.get("shout").getClass().getClassLoader())
                    .isNotSameAs(Thread.currentThread().getContextClassLoader());
        }
    }

    @Test
    void invokeRunsAPluginFunction(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.move(buildPluginJar(dir, "shout", "shout"), plugins.resolve("shout.jar"));
        Path input = Files.writeString(dir.resolve("hello.txt"), "hello");
        Path out = dir.resolve("out");

        CommandLineTest.Run run = CommandLineTest.sluice("invoke", "shout", "--plugins", plugins.toString(),
                input.toString(), "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.readString(out.resolve("hello-shout.txt"))).isEqualTo("HELLO");
    }

    @Test
    void aPluginFunctionRunsIsolatedToo(@TempDir Path dir) throws Exception {
        // the child JVM gets the plugin's jar on its class path, as the plugin is not on this JVM's
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.move(buildPluginJar(dir, "shout", "shout"), plugins.resolve("shout.jar"));
        Path input = Files.writeString(dir.resolve("hello.txt"), "hello");
        Path out = dir.resolve("out");

        CommandLineTest.Run run = CommandLineTest.sluice("invoke", "shout", "--isolate=128m", "--plugins",
                plugins.toString(), input.toString(), "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.readString(out.resolve("hello-shout.txt"))).isEqualTo("HELLO");
    }

    @Test
    void functionsCommandListsPluginsFromTheConfig(@TempDir Path dir) throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.move(buildPluginJar(dir, "shout", "shout"), plugins.resolve("shout.jar"));
        Path config = Files.writeString(dir.resolve("sluice.yaml"), "plugins: plugins\n");
        CommandLineTest.Run run = CommandLineTest.sluice("functions", "--config", config.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("shout - Upper-cases text.").contains("thumbnail");
    }
}
