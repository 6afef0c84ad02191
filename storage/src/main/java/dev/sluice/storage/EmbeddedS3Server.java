package dev.sluice.storage;

import dev.sluice.core.SluiceException;
import dev.sluice.core.config.EmbeddedSettings;
import dev.sluice.core.event.ObjectEvent;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.FilesystemApiMetadata;
import org.jclouds.filesystem.reference.FilesystemConstants;
import org.jclouds.logging.slf4j.config.SLF4JLoggingModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3-compatible server on a local folder, for laptops and tests: S3Proxy in front of the jclouds
 * filesystem blobstore. Every committed upload, copy and delete is announced to the listener as an
 * {@link ObjectEvent} (see {@link EventEmittingBlobStore}), so no notification setup is needed.
 *
 * <p>Each bucket is a folder under the data folder and each object a file; content type, eTag and user
 * metadata live in the file's extended attributes, so the data folder must be on a filesystem with user
 * xattrs (ext4, xfs, btrfs, APFS, NTFS). Object keys are checked so that none resolves outside it.
 *
 * <pre>{@code
 * try (var server = EmbeddedS3Server.builder().dataDir(dir).listener(queue::add).build().start()) {
 *     var store = S3ObjectStore.forEmbedded(server);
 * }
 * }</pre>
 */
public final class EmbeddedS3Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3Server.class);

    private final String host;
    private final int requestedPort;
    private final Path dataDir;
    private final String accessKey;
    private final String secretKey;
    private final Consumer<ObjectEvent> listener;
    private final List<String> buckets;

    private BlobStoreContext context;
    private S3Proxy proxy;
    private volatile int port = -1;

    private EmbeddedS3Server(Builder builder) {
        this.host = builder.host;
        this.requestedPort = builder.port;
        this.dataDir = builder.dataDir.toAbsolutePath().normalize();
        this.accessKey = builder.accessKey;
        this.secretKey = builder.secretKey;
        this.listener = builder.listener;
        this.buckets = List.copyOf(builder.buckets);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts listening; returns this server. Fails with a message that says what to change. */
    public synchronized EmbeddedS3Server start() {
        if (proxy != null) {
            throw new IllegalStateException("The embedded S3 server is already started at " + endpoint());
        }
        prepareDataDir();
        Properties properties = new Properties();
        properties.setProperty(FilesystemConstants.PROPERTY_BASEDIR, dataDir.toString());
        // Naming the API directly (instead of the id "filesystem") skips jclouds' provider scan.
        context = ContextBuilder.newBuilder(new FilesystemApiMetadata())
                .overrides(properties)
                .modules(List.of(new SLF4JLoggingModule()))
                .buildView(BlobStoreContext.class);
        BlobStore blobStore = new EventEmittingBlobStore(
                new KeyCheckingBlobStore(context.getBlobStore(), dataDir), listener);
        for (String bucket : buckets) {
            if (!blobStore.containerExists(bucket)) {
                blobStore.createContainerInLocation(null, bucket);
            }
        }
        S3Proxy candidate = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://" + hostForUri() + ":" + requestedPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        try {
            candidate.start();
        } catch (Exception e) {
            stopQuietly(candidate);
            context.close();
            context = null;
            if (causedBy(e, BindException.class)) {
                throw new SluiceException("The embedded S3 server cannot listen on " + host + ":" + requestedPort
                        + " (" + e.getMessage() + "). Choose a free port in the embedded settings, or 0 for a"
                        + " random one.", e);
            }
            throw new SluiceException("The embedded S3 server did not start on " + host + ":" + requestedPort
                    + ": " + e, e);
        }
        proxy = candidate;
        port = candidate.getPort();
        LOG.info("Embedded S3 server listening on {} with data in {}", endpoint(), dataDir);
        return this;
    }

    /** {@code http://host:port}, for S3 clients (path-style addressing). */
    public URI endpoint() {
        if (port < 0) {
            throw new IllegalStateException("The embedded S3 server is not started; call start() first");
        }
        return URI.create("http://" + hostForUri() + ":" + port);
    }

    /** The port it listens on (the chosen one when 0 was asked for). */
    public int port() {
        if (port < 0) {
            throw new IllegalStateException("The embedded S3 server is not started; call start() first");
        }
        return port;
    }

    public String host() {
        return host;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public Path dataDir() {
        return dataDir;
    }

    public boolean isRunning() {
        return proxy != null;
    }

    @Override
    public synchronized void close() {
        if (proxy != null) {
            stopQuietly(proxy);
            proxy = null;
        }
        if (context != null) {
            context.close();
            context = null;
        }
        port = -1;
    }

    @Override
    public String toString() {
        return "EmbeddedS3Server[" + (port < 0 ? "stopped" : endpoint()) + ", dataDir=" + dataDir + "]";
    }

    private void prepareDataDir() {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new SluiceException("Cannot create the embedded S3 server's data folder " + dataDir + ": " + e
                    + ". Choose a writable folder (embedded.dataDir).", e);
        }
        checkExtendedAttributes();
    }

    /**
     * Without user xattrs the filesystem blobstore silently drops content types and user metadata, and
     * with them the origin tags that keep Sluice from reprocessing its own outputs. Refuse to start.
     */
    private void checkExtendedAttributes() {
        Path probe = null;
        try {
            probe = Files.createTempFile(dataDir, ".sluice-xattr-", ".probe");
            UserDefinedFileAttributeView view = Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class);
            if (view == null) {
                throw new IOException("extended attributes are not supported");
            }
            view.write("user.sluice-probe", ByteBuffer.wrap("1".getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException | UnsupportedOperationException e) {
            throw new SluiceException("The embedded S3 server's data folder " + dataDir + " is on a filesystem"
                    + " without user extended attributes (" + e.getMessage() + "); object metadata would be"
                    + " lost. Put the data folder on ext4, xfs, btrfs, APFS or NTFS, or use an external S3"
                    + " store such as MinIO.", e);
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a leftover probe file is harmless: it starts with '.' and is not in a bucket
                }
            }
        }
    }

    private String hostForUri() {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static void stopQuietly(S3Proxy proxy) {
        try {
            proxy.stop();
        } catch (Exception e) {
            LOG.warn("Stopping the embedded S3 server failed: {}", e.toString());
        }
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Settings for an {@link EmbeddedS3Server}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private Path dataDir;
        private String accessKey = "sluice";
        private String secretKey = randomSecret();
        private Consumer<ObjectEvent> listener = event -> { };
        private final List<String> buckets = new ArrayList<>();

        private Builder() {
        }

        /** Interface to listen on; default {@code 127.0.0.1} (this machine only). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Port to listen on; 0 (the default) picks a free one, see {@link EmbeddedS3Server#port()}. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** Folder that holds the buckets; created if missing. Required. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** Credentials clients must sign with; default access key {@code sluice} and a random secret. */
        public Builder credentials(String accessKey, String secretKey) {
            if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
                throw new IllegalArgumentException("The embedded S3 server needs a non-empty access key and secret"
                        + " key (SLUICE_ACCESS_KEY / SLUICE_SECRET_KEY)");
            }
            this.accessKey = accessKey;
            this.secretKey = secretKey;
            return this;
        }

        public Builder accessKey(String accessKey) {
            return credentials(accessKey, secretKey);
        }

        public Builder secretKey(String secretKey) {
            return credentials(accessKey, secretKey);
        }

        /**
         * Receives an event after each committed upload, copy and delete. It is called on the request
         * threads, several at once, before the client gets its answer: keep it quick and thread-safe
         * (hand the event to a queue). What it throws is logged and does not fail the request.
         */
        public Builder listener(Consumer<ObjectEvent> listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Buckets created at start when missing. */
        public Builder buckets(Collection<String> buckets) {
            buckets.forEach(ObjectKeys::checkNewBucket);
            this.buckets.addAll(buckets);
            return this;
        }

        /** Host, port, data folder and buckets from the config's {@code embedded} section. */
        public Builder settings(EmbeddedSettings settings) {
            if (settings.host() != null && !settings.host().isBlank()) {
                host(settings.host());
            }
            port(settings.port());
            if (settings.dataDir() != null) {
                dataDir(settings.dataDir());
            }
            return buckets(settings.buckets());
        }

        public EmbeddedS3Server build() {
            if (dataDir == null) {
                throw new IllegalStateException("The embedded S3 server needs a data folder: call dataDir(...)");
            }
            return new EmbeddedS3Server(this);
        }

        private static String randomSecret() {
            byte[] bytes = new byte[20];
            new SecureRandom().nextBytes(bytes);
            return HexFormat.of().formatHex(bytes);
        }
    }
}
