package dev.sluice.core.function;

import dev.sluice.core.ConfigException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.function.BiConsumer;
import org.slf4j.LoggerFactory;
import java.util.Collections;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.Map;

/** The functions available to this process, found with {@link ServiceLoader} on a class loader. */
public final class FunctionRegistry implements AutoCloseable {
    private final Map<String, SluiceFunction> functions;

    public FunctionRegistry(Collection<? extends SluiceFunction> functions) {
        Map<String, SluiceFunction> byName = new TreeMap<>();
        for (SluiceFunction function : functions) {
            SluiceFunction previous = byName.putIfAbsent(function.name(), function);
            if (previous != null && previous.getClass() != function.getClass()) {
                throw new ConfigException("Two functions are named '" + function.name() + "': "
                        + previous.getClass().getName() + " and " + function.getClass().getName()
                        + ". Remove one of the jars from the class path or plugins folder.");
            }
        }
        this.functions = Collections.unmodifiableMap(byName);
    }

    /** Every function on the class path of {@code loader}. */
    public static FunctionRegistry load(ClassLoader loader) {
        return load(loader, (provider, error) -> LoggerFactory.getLogger(FunctionRegistry.class)
                .error("Function {} could not be loaded and is not available: {}", provider, error.toString()));
    }

    /**
     * Every function on the class path of {@code loader}. A function that fails to load (missing class, throwing
     * constructor, missing native library) is reported to {@code onFailure} by name and does not stop the others.
     */
    public static FunctionRegistry load(ClassLoader loader, BiConsumer<String, Throwable> onFailure) {
        return load(loader, List.of(), onFailure);
    }

    /**
     * The built-in functions of {@code builtIns} plus those of each plugin class loader (one per plugin jar, so a
     * broken jar cannot take the others down). A plugin loader sees its parent's functions too; only classes it
     * defines itself count as its own.
     */
    public static FunctionRegistry load(ClassLoader builtIns, List<ClassLoader> plugins,
                                        BiConsumer<String, Throwable> onFailure) {
        List<SluiceFunction> loaded = new ArrayList<>();
        collect(builtIns, null, onFailure, loaded);
        for (ClassLoader plugin : plugins) {
            collect(plugin, plugin, onFailure, loaded);
        }
        return new FunctionRegistry(loaded);
    }

    private static void collect(ClassLoader loader, ClassLoader onlyDefinedBy, BiConsumer<String, Throwable> onFailure,
                                List<SluiceFunction> loaded) {
        Iterator<ServiceLoader.Provider<SluiceFunction>> providers =
                ServiceLoader.load(SluiceFunction.class, loader).stream().iterator();
        int failures = 0;
        while (failures < 1000) { // a broken iterator could fail forever; a thousand bad entries is plenty
            ServiceLoader.Provider<SluiceFunction> provider;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                failures++;
                onFailure.accept(describe(e), e);
                continue;
            }
            if (onlyDefinedBy != null && provider.type().getClassLoader() != onlyDefinedBy) {
                continue;
            }
            try {
                loaded.add(provider.get());
            } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
                onFailure.accept(provider.type().getName(), e.getCause() != null ? e.getCause() : e);
            }
        }
    }

    private static String describe(Throwable error) {
        String message = String.valueOf(error.getMessage());
        return message.length() > 200 ? message.substring(0, 200) : message;
    }

    public static FunctionRegistry loadDefault() {
        return load(Thread.currentThread().getContextClassLoader());
    }

    public SluiceFunction get(String name) {
        SluiceFunction function = functions.get(name);
        if (function == null) {
            throw new ConfigException("Unknown function '" + name + "'. Available functions: "
                    + (functions.isEmpty() ? "none (is a functions jar on the class path?)"
                    : String.join(", ", functions.keySet())) + ".");
        }
        return function;
    }

    /**
     * Runs the named function's {@link SluiceFunction#prepare one-time set-up}. A failure is logged, not thrown:
     * the function's first invocation sets up instead and reports what is wrong with the input it was given.
     */
    public void prepare(String name) {
        SluiceFunction function = get(name);
        try {
            function.prepare();
        } catch (RuntimeException | LinkageError e) {
            LoggerFactory.getLogger(FunctionRegistry.class).warn(
                    "Function {} could not prepare ahead ({}); its first invocation sets up instead", name,
                    e.toString());
        }
    }

    public boolean contains(String name) {
        return functions.containsKey(name);
    }

    public Collection<SluiceFunction> all() {
        return functions.values();
    }

    @Override
    public void close() {
        functions.values().forEach(SluiceFunction::close);
    }
}
