package dev.sluice.storage.testing;

import dev.sluice.core.config.StoreSettings;
import dev.sluice.core.event.ObjectEvent;
import dev.sluice.storage.EmbeddedS3Server;
import dev.sluice.storage.S3ObjectStore;
import dev.sluice.storage.S3StoreOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real S3 server for a test class, in one line:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();
 * }</pre>
 *
 * It starts an {@link EmbeddedS3Server} on a random port over a fresh temporary folder before the
 * class's first test, and stops it and deletes the folder after the last. Every event the server emits
 * is recorded in {@link #events()}. Registered on an instance field instead, it runs one server per test.
 */
public final class EmbeddedS3Extension
        implements S3TestServer, BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final List<ObjectEvent> events = new CopyOnWriteArrayList<>();
    private final List<S3ObjectStore> stores = new ArrayList<>();
    private Path tempDir;
    private EmbeddedS3Server server;
    private S3ObjectStore store;
    private boolean perTest;

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server == null) {
            perTest = true;
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            stop();
        }
    }

    /** Starts the server now; the callbacks call this, tests rarely need to. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            tempDir = Files.createTempDirectory("sluice-s3-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = EmbeddedS3Server.builder()
                .dataDir(tempDir.resolve("data"))
                .credentials("sluice-test", "sluice-test-secret")
                .listener(events::add)
                .build()
                .start();
        store = newStore(S3StoreOptions.defaults());
    }

    public synchronized void stop() {
        stores.forEach(S3ObjectStore::close);
        stores.clear();
        store = null;
        if (server != null) {
            server.close();
            server = null;
        }
        if (tempDir != null) {
            deleteRecursively(tempDir);
            tempDir = null;
        }
        events.clear();
    }

    @Override
    public S3ObjectStore store() {
        requireStarted();
        return store;
    }

    @Override
    public synchronized S3ObjectStore store(S3StoreOptions options) {
        requireStarted();
        return newStore(options);
    }

    @Override
    public URI endpoint() {
        requireStarted();
        return server.endpoint();
    }

    @Override
    public StoreSettings settings() {
        requireStarted();
        return S3ObjectStore.settingsFor(server);
    }

    public EmbeddedS3Server server() {
        requireStarted();
        return server;
    }

    /** The folder that holds the buckets. */
    public Path dataDir() {
        requireStarted();
        return server.dataDir();
    }

    /** Every event emitted since the server started (or {@link #clearEvents()}), in order; thread-safe. */
    public List<ObjectEvent> events() {
        return events;
    }

    /** The recorded events that match. */
    public List<ObjectEvent> events(Predicate<ObjectEvent> filter) {
        return events.stream().filter(filter).toList();
    }

    public void clearEvents() {
        events.clear();
    }

    private S3ObjectStore newStore(S3StoreOptions options) {
        S3ObjectStore created = S3ObjectStore.forEmbedded(server, options);
        stores.add(created);
        return created;
    }

    private void requireStarted() {
        if (server == null) {
            throw new IllegalStateException("The embedded S3 server is not running: register EmbeddedS3Extension"
                    + " with @RegisterExtension on a static field, or call start()");
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a leftover temp folder is not worth failing a test run for
        }
    }
}
