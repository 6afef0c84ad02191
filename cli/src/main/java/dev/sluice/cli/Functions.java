package dev.sluice.cli;

import dev.sluice.core.ConfigException;
import dev.sluice.core.function.FunctionRegistry;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The functions a command can run: the built-in ones on the class path, plus every jar in the config's plugins
 * folder, each in its own class loader. A plugin that fails to load is reported by name; the others still load.
 */
final class Functions {
    /** The built-in functions {@link #loadAheadFor} is loading, until a {@link #load} takes them. */
    private static final AtomicReference<CompletableFuture<FunctionRegistry>> AHEAD = new AtomicReference<>();

    private Functions() {
    }

    /**
     * Not a static field: {@link #loadAheadFor} runs on the main thread first thing, and setting up logging
     * there (a search of every jar on the class path) would hold up the command line it is meant to overlap.
     */
    private static Logger log() {
        return LoggerFactory.getLogger(Functions.class);
    }

    /**
     * Starts loading the built-in functions on a background thread and preparing those that {@code args} name (an
     * argument that is a function's name, or a chain of them such as {@code pdf-render|ocr}) while the command
     * line is still being parsed: a one-shot {@code sluice invoke} would otherwise spend a good part of its short
     * life setting up before its first input. The next {@link #load} without a plugins folder takes the functions
     * (and waits for them if need be); a guess that names no function costs a little CPU and nothing else.
     */
    static void loadAheadFor(String... args) {
        CompletableFuture<FunctionRegistry> ahead = new CompletableFuture<>();
        if (!AHEAD.compareAndSet(null, ahead)) {
            return;
        }
        Thread loader = new Thread(() -> {
            FunctionRegistry functions;
            try {
                functions = load(null, Thread.currentThread().getContextClassLoader());
            } catch (RuntimeException | Error e) {
                ahead.completeExceptionally(e);
                return;
            }
            ahead.complete(functions); // invocations may start while the functions below prepare
            Arrays.stream(args).flatMap(arg -> Arrays.stream(arg.split("\\|"))).map(String::trim)
                    .filter(functions::contains).distinct().forEach(functions::prepare);
        }, "sluice-load-ahead");
        loader.setDaemon(true);
        loader.start();
    }

    static FunctionRegistry load(Path pluginsDir) {
        CompletableFuture<FunctionRegistry> ahead = AHEAD.getAndSet(null);
        if (ahead != null) {
            try {
                FunctionRegistry loaded = ahead.join();
                if (pluginsDir == null) {
                    return loaded;
                }
                loaded.close(); // plugins are loaded together with the built-ins, so start again
            } catch (CompletionException e) {
                log().debug("Loading functions ahead failed; loading them now", e.getCause());
            }
        }
        return load(pluginsDir, Thread.currentThread().getContextClassLoader());
    }

    private static FunctionRegistry load(Path pluginsDir, ClassLoader builtIns) {
        List<ClassLoader> plugins = new ArrayList<>();
        for (Path jar : jars(pluginsDir)) {
            try {
                plugins.add(new URLClassLoader("plugin " + jar.getFileName(), new URL[] {jar.toUri().toURL()},
                        builtIns));
            } catch (MalformedURLException e) {
                log().error("Plugin {} cannot be loaded: {}", jar, e.getMessage());
            }
        }
        return FunctionRegistry.load(builtIns, plugins, (what, error) ->
                log().error("Function {} could not be loaded and is not available: {}", what, error.toString()));
    }

    private static List<Path> jars(Path pluginsDir) {
        if (pluginsDir == null) {
            return List.of();
        }
        if (!Files.isDirectory(pluginsDir)) {
            throw new ConfigException("The plugins folder " + pluginsDir + " does not exist; create it or remove "
                    + "'plugins' from the config.");
        }
        try (Stream<Path> files = Files.list(pluginsDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("Cannot read the plugins folder " + pluginsDir + ": " + e.getMessage(), e);
        }
    }
}
