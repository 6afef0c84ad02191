package dev.sluice.core.function;

import dev.sluice.core.ConfigException;
import java.util.Collection;
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
        return new FunctionRegistry(ServiceLoader.load(SluiceFunction.class, loader).stream()
                .map(ServiceLoader.Provider::get)
                .toList());
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
