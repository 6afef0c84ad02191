package dev.sluice.storage;

import dev.sluice.storage.testing.EmbeddedS3Extension;
import dev.sluice.storage.testing.S3TestServer;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract against the embedded server (S3Proxy on a local folder). */
class EmbeddedObjectStoreTest extends ObjectStoreContract {
    @RegisterExtension
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

    @Override
    S3TestServer server() {
        return S3;
    }
}
