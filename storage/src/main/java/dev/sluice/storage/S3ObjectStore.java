package dev.sluice.storage;

import dev.sluice.core.SluiceException;
import dev.sluice.core.config.StoreSettings;
import dev.sluice.core.store.ObjectInfo;
import dev.sluice.core.store.ObjectNotFoundException;
import dev.sluice.core.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} over the AWS SDK v2 {@link S3Client}: AWS S3, MinIO, Ceph RGW, S3Proxy and the
 * {@link EmbeddedS3Server}.
 *
 * <p>Large files are uploaded in parts ({@link S3StoreOptions}); {@link #openForWrite} streams with one
 * part in memory; listings are fetched page by page as the stream is consumed. User metadata names are
 * lower-case both ways. Failures are Sluice exceptions: a missing object is
 * {@link ObjectNotFoundException} (or an empty {@link #head}), throttling, 5xx and network failures are
 * {@link dev.sluice.core.TransientException}, refused credentials a {@link SluiceException} that says
 * which settings to check.
 */
public final class S3ObjectStore implements ObjectStore {
    private static final Logger LOG = LoggerFactory.getLogger(S3ObjectStore.class);
    private static final String DEFAULT_REGION = "us-east-1";
    private static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

    private final S3Client client;
    private final boolean ownsClient;
    private final S3StoreOptions options;
    private final S3Errors errors;

    /** A store over a client the caller owns (and closes); default options. */
    public S3ObjectStore(S3Client client) {
        this(client, S3StoreOptions.defaults());
    }

    /** A store over a client the caller owns (and closes). */
    public S3ObjectStore(S3Client client, S3StoreOptions options) {
        this(client, options, false);
    }

    private S3ObjectStore(S3Client client, S3StoreOptions options, boolean ownsClient) {
        this.client = Objects.requireNonNull(client, "client");
        this.options = Objects.requireNonNull(options, "options");
        this.ownsClient = ownsClient;
        this.errors = new S3Errors(describeEndpoint(client));
    }

    /** A store with its own client for an external S3-compatible store; {@link #close()} closes the client. */
    public static S3ObjectStore create(StoreSettings settings) {
        return create(settings, S3StoreOptions.defaults());
    }

    public static S3ObjectStore create(StoreSettings settings, S3StoreOptions options) {
        return new S3ObjectStore(newClient(settings), options, true);
    }

    /** A store for a started embedded server, with its credentials and path-style addressing. */
    public static S3ObjectStore forEmbedded(EmbeddedS3Server server) {
        return forEmbedded(server, S3StoreOptions.defaults());
    }

    public static S3ObjectStore forEmbedded(EmbeddedS3Server server, S3StoreOptions options) {
        return create(settingsFor(server), options);
    }

    /** Settings that reach a started embedded server. */
    public static StoreSettings settingsFor(EmbeddedS3Server server) {
        return new StoreSettings(server.endpoint().toString(), DEFAULT_REGION, server.accessKey(), server.secretKey(),
                true);
    }

    /**
     * An S3 client for the settings: the JDK's HTTP transport, checksums only where S3 requires them (so
     * MinIO, S3Proxy and other S3-compatible servers accept the requests), static credentials when both
     * keys are set, else the AWS default chain (environment, profile, instance role).
     */
    public static S3Client newClient(StoreSettings settings) {
        return newClient(settings, builder -> { });
    }

    /** {@link #newClient(StoreSettings)}, with a last say on the builder (interceptors, timeouts, metrics). */
    public static S3Client newClient(StoreSettings settings, Consumer<S3ClientBuilder> customizer) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                .region(Region.of(blankToNull(settings.region()) == null ? DEFAULT_REGION : settings.region().trim()))
                .forcePathStyle(settings.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // Plain bodies with a Content-Length, not aws-chunked: over http the SDK signs each chunk, and
                // S3Proxy (the embedded server) leaves the last chunk's framing unread, so its Jetty resets the
                // connection and about one PUT in a hundred lost its response (and was sent again). Every body
                // here can be read twice (bytes, files, file ranges), which signing the whole payload needs.
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .credentialsProvider(credentials(settings));
        String endpoint = blankToNull(settings.endpoint());
        if (endpoint != null) {
            builder.endpointOverride(endpointUri(endpoint));
        }
        customizer.accept(builder);
        return builder.build();
    }

    /** The underlying client, for what this interface does not cover (e.g. bucket notifications). */
    public S3Client client() {
        return client;
    }

    public S3StoreOptions options() {
        return options;
    }

    // ---- reads

    @Override
    public Optional<ObjectInfo> head(String bucket, String key) {
        try {
            HeadObjectResponse response = client.headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new ObjectInfo(bucket, key, response.contentLength() == null ? -1 : response.contentLength(),
                    response.eTag(), response.contentType(), response.lastModified(),
                    lowerCaseNames(response.metadata())));
        } catch (SdkException e) {
            if (S3Errors.isNotFound(e)) {
                return Optional.empty();
            }
            throw errors.map(e, "read", bucket, key, true);
        }
    }

    @Override
    public ResponseInputStream<GetObjectResponse> get(String bucket, String key) {
        try {
            return client.getObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw errors.map(e, "read", bucket, key, true);
        }
    }

    @Override
    public void download(String bucket, String key, Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, "." + absolute.getFileName(), ".part");
        try {
            try (InputStream in = get(bucket, key)) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    // ---- writes

    @Override
    public ObjectInfo put(String bucket, String key, Path file, String contentType, Map<String, String> userMetadata) {
        Map<String, String> metadata = checkedMetadata(userMetadata);
        String type = contentTypeOrDefault(contentType);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot upload " + file + " to s3://" + bucket + "/" + key + ": " + e, e);
        }
        if (size < options.multipartThreshold()) {
            try {
                String eTag = client.putObject(putRequest(bucket, key, type, metadata, size),
                        RequestBody.fromFile(file)).eTag();
                return info(bucket, key, size, eTag, type, metadata);
            } catch (SdkException e) {
                throw errors.map(e, "upload", bucket, key, false);
            }
        }
        return putInParts(bucket, key, file, size, type, metadata);
    }

    @Override
    public ObjectInfo put(String bucket, String key, byte[] content, String contentType,
                          Map<String, String> userMetadata) {
        try {
            return putBuffer(bucket, key, content, content.length, contentTypeOrDefault(contentType),
                    checkedMetadata(userMetadata));
        } catch (SdkException e) {
            throw errors.map(e, "upload", bucket, key, false);
        }
    }

    /**
     * A stream that uploads as it is written; see {@link S3UploadStream}. Close it to create the object,
     * or call {@link S3UploadStream#abort()} to discard it.
     */
    @Override
    public S3UploadStream openForWrite(String bucket, String key, String contentType,
                                       Map<String, String> userMetadata) {
        return new S3UploadStream(this, bucket, key, contentTypeOrDefault(contentType), checkedMetadata(userMetadata),
                options.partSize());
    }

    @Override
    public void delete(String bucket, String key) {
        try {
            client.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            if (S3Errors.isNotFound(e) && !S3Errors.isNoSuchBucket(e)) {
                return; // already gone
            }
            throw errors.map(e, "delete", bucket, key, false);
        }
    }

    // ---- listing and buckets

    @Override
    public Stream<ObjectInfo> list(String bucket, String prefix, String startAfter) {
        Iterator<ObjectInfo> objects = new Iterator<>() {
            private Iterator<S3Object> pages; // created on first use: asking for it already fetches a page

            @Override
            public boolean hasNext() {
                try {
                    if (pages == null) {
                        pages = client.listObjectsV2Paginator(b -> b.bucket(bucket)
                                .prefix(prefix == null || prefix.isEmpty() ? null : prefix)
                                .startAfter(startAfter == null || startAfter.isEmpty() ? null : startAfter)
                                .maxKeys(options.listPageSize())).contents().iterator();
                    }
                    return pages.hasNext();
                } catch (SdkException e) {
                    throw errors.map(e, "list", bucket, prefix, false);
                }
            }

            @Override
            public ObjectInfo next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                S3Object object;
                try {
                    object = pages.next();
                } catch (SdkException e) {
                    throw errors.map(e, "list", bucket, prefix, false);
                }
                return new ObjectInfo(bucket, object.key(), object.size() == null ? -1 : object.size(), object.eTag(),
                        null, object.lastModified(), Map.of());
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(objects,
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    @Override
    public boolean bucketExists(String bucket) {
        try {
            client.headBucket(b -> b.bucket(bucket));
            return true;
        } catch (SdkException e) {
            if (S3Errors.isNotFound(e)) {
                return false;
            }
            throw errors.map(e, "check", bucket, null, false);
        }
    }

    @Override
    public void createBucket(String bucket) {
        CreateBucketRequest.Builder request = CreateBucketRequest.builder().bucket(bucket);
        String region = client.serviceClientConfiguration().region().id();
        boolean awsEndpoint = client.serviceClientConfiguration().endpointOverride().isEmpty();
        if (awsEndpoint && !DEFAULT_REGION.equals(region)) {
            // AWS wants the region spelled out everywhere but us-east-1
            request.createBucketConfiguration(c -> c.locationConstraint(BucketLocationConstraint.fromValue(region)));
        }
        try {
            client.createBucket(request.build());
        } catch (BucketAlreadyOwnedByYouException e) {
            // already there: creating is idempotent
        } catch (BucketAlreadyExistsException e) {
            throw new SluiceException("Bucket '" + bucket + "' already exists and belongs to someone else; bucket"
                    + " names are global on AWS S3. Choose another name.", e);
        } catch (SdkException e) {
            throw errors.map(e, "create", bucket, null, false);
        }
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "S3ObjectStore[" + describeEndpoint(client) + "]";
    }

    // ---- multipart plumbing, shared with S3UploadStream; these throw the SDK's exceptions unmapped

    S3Errors errors() {
        return errors;
    }

    ObjectInfo putBuffer(String bucket, String key, byte[] bytes, int length, String contentType,
                         Map<String, String> metadata) {
        // A content provider (not fromBytes) so the buffer is not copied; the SDK may read it more than once.
        RequestBody body = RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length,
                contentType);
        String eTag = client.putObject(putRequest(bucket, key, contentType, metadata, length), body).eTag();
        return info(bucket, key, length, eTag, contentType, metadata);
    }

    String startUpload(String bucket, String key, String contentType, Map<String, String> metadata) {
        return client.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType).metadata(metadata))
                .uploadId();
    }

    CompletedPart uploadPart(String bucket, String key, String uploadId, int partNumber, RequestBody body,
                             long length) {
        String eTag = client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                .contentLength(length), body).eTag();
        return CompletedPart.builder().partNumber(partNumber).eTag(eTag).build();
    }

    String completeUpload(String bucket, String key, String uploadId, List<CompletedPart> parts) {
        return client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts))).eTag();
    }

    /** Best effort: a failed abort leaves parts that the store's lifecycle rules clean up; never throws. */
    void abortUpload(String bucket, String key, String uploadId, Throwable reason) {
        try {
            client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (RuntimeException e) {
            LOG.warn("Could not abort multipart upload {} of s3://{}/{}: {}", uploadId, bucket, key, e.toString());
            if (reason != null) {
                reason.addSuppressed(e);
            }
        }
    }

    ObjectInfo info(String bucket, String key, long size, String eTag, String contentType,
                    Map<String, String> metadata) {
        // lastModified is this machine's clock: asking the store would cost a HEAD per upload
        return new ObjectInfo(bucket, key, size, eTag, contentType, Instant.now(), metadata);
    }

    private ObjectInfo putInParts(String bucket, String key, Path file, long size, String contentType,
                                  Map<String, String> metadata) {
        String uploadId;
        try {
            uploadId = startUpload(bucket, key, contentType, metadata);
        } catch (SdkException e) {
            throw errors.map(e, "upload", bucket, key, false);
        }
        long partSize = options.partSizeFor(size);
        List<CompletedPart> parts = new ArrayList<>();
        try {
            for (long offset = 0; offset < size; offset += partSize) {
                long length = Math.min(partSize, size - offset);
                try (FileRange range = new FileRange(file, offset, length)) {
                    parts.add(uploadPart(bucket, key, uploadId, parts.size() + 1,
                            RequestBody.fromContentProvider(range, length, "application/octet-stream"), length));
                }
            }
            String eTag = completeUpload(bucket, key, uploadId, parts);
            return info(bucket, key, size, eTag, contentType, metadata);
        } catch (RuntimeException e) {
            abortUpload(bucket, key, uploadId, e);
            if (e instanceof SdkException sdk) {
                throw errors.map(sdk, "upload", bucket, key, false);
            }
            throw e;
        }
    }

    private static PutObjectRequest putRequest(String bucket, String key, String contentType,
                                               Map<String, String> metadata, long length) {
        return PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType).contentLength(length)
                .metadata(metadata).build();
    }

    /**
     * Lower-case names (S3 treats them case-insensitively) and header-safe values: metadata travels in
     * HTTP headers, which carry printable ASCII only.
     */
    static Map<String, String> checkedMetadata(Map<String, String> userMetadata) {
        if (userMetadata == null || userMetadata.isEmpty()) {
            return Map.of();
        }
        Map<String, String> checked = new TreeMap<>();
        userMetadata.forEach((name, value) -> {
            if (name == null || name.isBlank() || !name.chars().allMatch(S3ObjectStore::isTokenChar)) {
                throw new IllegalArgumentException("Invalid user metadata name '" + name + "': use letters, digits"
                        + " and '-'.");
            }
            String text = value == null ? "" : value;
            if (!text.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("User metadata '" + name + "' must be printable ASCII (it travels"
                        + " in an HTTP header); URL-encode the value, e.g. with SluiceMetadata.encode.");
            }
            checked.put(name.toLowerCase(Locale.ROOT), text);
        });
        return Map.copyOf(checked);
    }

    static Map<String, String> lowerCaseNames(Map<String, String> metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return Map.of();
        }
        Map<String, String> lower = new TreeMap<>();
        metadata.forEach((name, value) -> lower.put(name.toLowerCase(Locale.ROOT), value));
        return lower;
    }

    private static boolean isTokenChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-_.!#$%&'*+^`|~".indexOf(c) >= 0;
    }

    private static String contentTypeOrDefault(String contentType) {
        return contentType == null || contentType.isBlank() ? DEFAULT_CONTENT_TYPE : contentType;
    }

    private static AwsCredentialsProvider credentials(StoreSettings settings) {
        String accessKey = blankToNull(settings.accessKey());
        String secretKey = blankToNull(settings.secretKey());
        if (accessKey != null && secretKey != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
        }
        if (accessKey != null || secretKey != null) {
            throw new SluiceException("Only one of the store's access key and secret key is set. Set both"
                    + " SLUICE_ACCESS_KEY and SLUICE_SECRET_KEY (or store.accessKey/store.secretKey), or neither to"
                    + " use the AWS default credentials.");
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private static URI endpointUri(String endpoint) {
        URI uri;
        try {
            uri = URI.create(endpoint.trim());
        } catch (IllegalArgumentException e) {
            throw new SluiceException("The store endpoint '" + endpoint + "' is not a URL; write it like"
                    + " http://127.0.0.1:9000.", e);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new SluiceException("The store endpoint '" + endpoint + "' must be an http:// or https:// URL"
                    + " with a host, like http://127.0.0.1:9000.");
        }
        return uri;
    }

    private static String describeEndpoint(S3Client client) {
        try {
            return client.serviceClientConfiguration().endpointOverride().map(URI::toString)
                    .orElse("AWS S3 (" + client.serviceClientConfiguration().region() + ")");
        } catch (RuntimeException e) {
            return "the configured S3 endpoint";
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
