package dev.sluice.storage;

import dev.sluice.storage.testing.MinioExtension;
import dev.sluice.storage.testing.S3TestServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract against MinIO in a container; skipped where there is no Docker engine. */
class MinioObjectStoreTest extends ObjectStoreContract {
    @RegisterExtension
    static final MinioExtension S3 = new MinioExtension();

    @Override
    S3TestServer server() {
        return S3;
    }
}
