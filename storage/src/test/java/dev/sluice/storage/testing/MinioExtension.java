package dev.sluice.storage.testing;

import dev.sluice.core.config.StoreSettings;
import dev.sluice.storage.S3ObjectStore;
import dev.sluice.storage.S3StoreOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;

/**
 * MinIO in a container for a test class, through Testcontainers; the class is skipped (with the reason)
 * where no Docker engine is reachable. Consumers add {@code org.testcontainers:minio} to their test
 * dependencies. The image can be changed with {@code -Dsluice.minio.image=...}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MinioExtension S3 = new MinioExtension();
 * }</pre>
 */
public final class MinioExtension implements S3TestServer, ExecutionCondition, BeforeAllCallback, AfterAllCallback {
    public static final String DEFAULT_IMAGE = "minio/minio:RELEASE.2025-04-22T22-12-26Z";

    private static Boolean dockerAvailable;

    private final List<S3ObjectStore> stores = new ArrayList<>();
    private MinIOContainer container;
    private S3ObjectStore store;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return isDockerAvailable()
                ? ConditionEvaluationResult.enabled("Docker is available")
                : ConditionEvaluationResult.disabled("No Docker engine reachable: MinIO tests skipped (the same"
                        + " tests run against the embedded S3 server)");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        container = new MinIOContainer(System.getProperty("sluice.minio.image", DEFAULT_IMAGE));
        container.start();
        store = store(S3StoreOptions.defaults());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stores.forEach(S3ObjectStore::close);
        stores.clear();
        if (container != null) {
            container.stop();
            container = null;
        }
    }

    @Override
    public S3ObjectStore store() {
        return store;
    }

    @Override
    public synchronized S3ObjectStore store(S3StoreOptions options) {
        S3ObjectStore created = S3ObjectStore.create(settings(), options);
        stores.add(created);
        return created;
    }

    @Override
    public URI endpoint() {
        return URI.create(container.getS3URL());
    }

    @Override
    public StoreSettings settings() {
        return new StoreSettings(container.getS3URL(), "us-east-1", container.getUserName(), container.getPassword(),
                true);
    }

    private static synchronized boolean isDockerAvailable() {
        if (dockerAvailable == null) {
            try {
                dockerAvailable = DockerClientFactory.instance().isDockerAvailable();
            } catch (RuntimeException | LinkageError e) {
                dockerAvailable = false;
            }
        }
        return dockerAvailable;
    }
}
