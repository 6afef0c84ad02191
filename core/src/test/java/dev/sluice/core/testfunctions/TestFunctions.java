package dev.sluice.core.testfunctions;

import dev.sluice.core.function.FunctionRegistry;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;

/** Finds the test functions the way Sluice finds plugin functions: ServiceLoader on a class loader. */
public final class TestFunctions {
    private TestFunctions() {
    }

    /** A class loader that sees {@code test-plugin/META-INF/services} on top of the test class path. */
    public static ClassLoader pluginLoader() {
        URL marker = TestFunctions.class.getResource("/test-plugin/README.md");
        if (marker == null) {
            throw new IllegalStateException("test-plugin resources are missing from the test class path");
        }
        try {
            URL root = new URL(marker, "."); // the folder holding META-INF/services, in a directory or a jar
            return new URLClassLoader(new URL[] {root}, TestFunctions.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static FunctionRegistry registry() {
        return FunctionRegistry.load(pluginLoader());
    }
}
