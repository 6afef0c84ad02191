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
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The functions a command can run: the built-in ones on the class path, plus every jar in the config's plugins
 * folder, each in its own class loader. A plugin that fails to load is reported by name; the others still load.
 */
final class Functions {
    private static final Logger LOG = LoggerFactory.getLogger(Functions.class);

    private Functions() {
    }

    static FunctionRegistry load(Path pluginsDir) {
        ClassLoader builtIns = Thread.currentThread().getContextClassLoader();
        List<ClassLoader> plugins = new ArrayList<>();
        for (Path jar : jars(pluginsDir)) {
            try {
                plugins.add(new URLClassLoader("plugin " + jar.getFileName(), new URL[] {jar.toUri().toURL()},
                        builtIns));
            } catch (MalformedURLException e) {
                LOG.error("Plugin {} cannot be loaded: {}", jar, e.getMessage());
            }
        }
        return FunctionRegistry.load(builtIns, plugins, (what, error) ->
                LOG.error("Function {} could not be loaded and is not available: {}", what, error.toString()));
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
