package dev.sluice.storage.testing;

import dev.sluice.core.config.StoreSettings;
import dev.sluice.storage.S3ObjectStore;
import dev.sluice.storage.S3StoreOptions;
import java.net.URI;
import software.amazon.awssdk.services.s3.S3Client;

/** A real S3 server for a test class: the embedded one, or MinIO in a container. */
public interface S3TestServer {

    /** A store over the server with default options; shared by the test class, closed after it. */
    S3ObjectStore store();

    /** A further store with other options (e.g. small parts or pages); closed after the test class. */
    S3ObjectStore store(S3StoreOptions options);

    /** The raw AWS SDK client of {@link #store()}, for calls the store does not offer (copy, multi-delete). */
    default S3Client client() {
        return store().client();
    }

    URI endpoint();

    /** Endpoint, region, credentials and path-style addressing, e.g. to build a Sluice config. */
    StoreSettings settings();

    /** Creates the bucket unless it exists; returns its name. */
    default String createBucket(String name) {
        store().createBucketIfMissing(name);
        return name;
    }
}
