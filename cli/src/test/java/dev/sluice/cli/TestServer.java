package dev.sluice.cli;

import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.function.FunctionRegistry;
import dev.sluice.core.store.ObjectStore;
import io.micrometer.core.instrument.MeterRegistry;

/** A {@link SluiceServer} with the built-in and test functions, for a test class to start once and close. */
record TestServer(SluiceServer server, FunctionRegistry functions) implements AutoCloseable {

    /** With the embedded server's triggers (uploads run the pipelines). */
    static TestServer start(SluiceConfig config, MeterRegistry meters) throws Exception {
        return open(config, meters, true);
    }

    /** Without triggers: only the events a test submits run. */
    static TestServer startForBatch(SluiceConfig config, MeterRegistry meters) throws Exception {
        return open(config, meters, false);
    }

    private static TestServer open(SluiceConfig config, MeterRegistry meters, boolean withTriggers) throws Exception {
        FunctionRegistry functions = FunctionRegistry.loadDefault();
        try {
            return new TestServer(withTriggers ? SluiceServer.start(config, functions, meters, "k", "s3cr3t-k3y")
                    : SluiceServer.startForBatch(config, functions, meters, "k", "s3cr3t-k3y"), functions);
        } catch (Exception | Error e) {
            functions.close();
            throw e;
        }
    }

    ObjectStore store() {
        return server.store();
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            functions.close();
        }
    }
}
