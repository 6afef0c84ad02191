package dev.sluice.storage;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobAccess;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.ContainerAccess;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.domain.MutableStorageMetadata;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.StorageType;
import org.jclouds.blobstore.domain.internal.PageSetImpl;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.CreateContainerOptions;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.domain.Location;
import org.jclouds.io.Payload;

/**
 * Guards the filesystem blobstore against hostile names: every bucket name, key, prefix and upload id
 * that S3Proxy passes on is checked before it reaches the disk (see {@link ObjectKeys}); listings hide
 * jclouds' multipart part files and the implicit folders of the filesystem. jclouds rejects ".." segments itself, but not everywhere (a listing
 * prefix opens folders unchecked), and answers without an S3 error body.
 */
final class KeyCheckingBlobStore extends ForwardingBlobStore {
    private final Path dataDir;

    KeyCheckingBlobStore(BlobStore delegate, Path dataDir) {
        super(delegate);
        this.dataDir = dataDir.toAbsolutePath().normalize();
    }

    private void bucket(String bucket) {
        try {
            ObjectKeys.checkBucket(bucket);
        } catch (ObjectKeys.InvalidNameException e) {
            throw S3ProxyErrors.invalidArgument(e);
        }
    }

    private void key(String bucket, String key) {
        try {
            ObjectKeys.checkBucket(bucket);
            ObjectKeys.checkKey(key);
            ObjectKeys.checkInside(dataDir, bucket, key);
        } catch (ObjectKeys.InvalidNameException e) {
            throw S3ProxyErrors.invalidArgument(e);
        }
    }

    private void upload(MultipartUpload mpu) {
        key(mpu.containerName(), mpu.blobName());
        try {
            ObjectKeys.checkUploadId(mpu.id());
        } catch (ObjectKeys.InvalidNameException e) {
            throw S3ProxyErrors.invalidArgument(e);
        }
    }

    // ---- buckets

    @Override
    public boolean containerExists(String container) {
        bucket(container);
        return super.containerExists(container);
    }

    @Override
    public boolean createContainerInLocation(Location location, String container) {
        return createContainerInLocation(location, container, CreateContainerOptions.NONE);
    }

    @Override
    public boolean createContainerInLocation(Location location, String container, CreateContainerOptions options) {
        try {
            ObjectKeys.checkNewBucket(container);
        } catch (ObjectKeys.InvalidNameException e) {
            throw S3ProxyErrors.invalidArgument(e);
        }
        return super.createContainerInLocation(location, container, options);
    }

    @Override
    public ContainerAccess getContainerAccess(String container) {
        bucket(container);
        return super.getContainerAccess(container);
    }

    @Override
    public void setContainerAccess(String container, ContainerAccess access) {
        bucket(container);
        super.setContainerAccess(container, access);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container) {
        return list(container, ListContainerOptions.NONE);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        bucket(container);
        try {
            ObjectKeys.checkPrefix(options.getPrefix());
            ObjectKeys.checkPrefix(options.getDir() == null ? null : options.getDir() + "/");
        } catch (ObjectKeys.InvalidNameException e) {
            throw S3ProxyErrors.invalidArgument(e);
        }
        PageSet<? extends StorageMetadata> page = super.list(container, options);
        boolean flat = options.getDelimiter() == null;
        for (StorageMetadata entry : page) {
            // an "a/" folder marker is an empty object, not the 4096 bytes of a directory
            if (entry.getType() == StorageType.FOLDER && entry instanceof MutableStorageMetadata mutable) {
                mutable.setSize(0L);
            }
        }
        if (page.stream().noneMatch(entry -> hidden(entry, flat))) {
            return page;
        }
        List<StorageMetadata> visible = page.stream()
                .filter(entry -> !hidden(entry, flat))
                .map(StorageMetadata.class::cast)
                .toList();
        return new PageSetImpl<>(visible, page.getNextMarker());
    }

    /**
     * jclouds' part files never show; nor, in a flat listing, do the folders the filesystem creates for
     * "a/b.txt" (S3 has no such objects; a delimiter listing still shows them as common prefixes). A folder
     * made by an explicit "a/" upload carries an eTag and stays.
     */
    private static boolean hidden(StorageMetadata entry, boolean flat) {
        return ObjectKeys.isInternal(entry.getName())
                || (flat && entry.getType() == StorageType.FOLDER && entry.getETag() == null);
    }

    @Override
    public void clearContainer(String container) {
        bucket(container);
        super.clearContainer(container);
    }

    @Override
    public void clearContainer(String container, ListContainerOptions options) {
        bucket(container);
        try {
            ObjectKeys.checkPrefix(options.getPrefix());
            ObjectKeys.checkPrefix(options.getDir() == null ? null : options.getDir() + "/");
        } catch (ObjectKeys.InvalidNameException e) {
            throw S3ProxyErrors.invalidArgument(e);
        }
        super.clearContainer(container, options);
    }

    @Override
    public void deleteContainer(String container) {
        bucket(container);
        super.deleteContainer(container);
    }

    @Override
    public boolean deleteContainerIfEmpty(String container) {
        bucket(container);
        return super.deleteContainerIfEmpty(container);
    }

    @Override
    public boolean directoryExists(String container, String directory) {
        key(container, directory);
        return super.directoryExists(container, directory);
    }

    @Override
    public void createDirectory(String container, String directory) {
        key(container, directory);
        super.createDirectory(container, directory);
    }

    @Override
    public void deleteDirectory(String container, String directory) {
        key(container, directory);
        super.deleteDirectory(container, directory);
    }

    @Override
    public long countBlobs(String container) {
        bucket(container);
        return super.countBlobs(container);
    }

    @Override
    public long countBlobs(String container, ListContainerOptions options) {
        bucket(container);
        try {
            ObjectKeys.checkPrefix(options.getPrefix());
        } catch (ObjectKeys.InvalidNameException e) {
            throw S3ProxyErrors.invalidArgument(e);
        }
        return super.countBlobs(container, options);
    }

    // ---- objects

    @Override
    public boolean blobExists(String container, String name) {
        key(container, name);
        return super.blobExists(container, name);
    }

    @Override
    public String putBlob(String container, Blob blob) {
        checkBeforeBody(() -> key(container, blob.getMetadata().getName()), blob.getPayload());
        return super.putBlob(container, blob);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        checkBeforeBody(() -> key(container, blob.getMetadata().getName()), blob.getPayload());
        return super.putBlob(container, blob, options);
    }

    @Override
    public String copyBlob(String fromContainer, String fromName, String toContainer, String toName,
                           CopyOptions options) {
        key(fromContainer, fromName);
        key(toContainer, toName);
        return super.copyBlob(fromContainer, fromName, toContainer, toName, options);
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
        key(container, name);
        return super.blobMetadata(container, name);
    }

    @Override
    public Blob getBlob(String container, String name) {
        key(container, name);
        return super.getBlob(container, name);
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        key(container, name);
        return super.getBlob(container, name, options);
    }

    @Override
    public void removeBlob(String container, String name) {
        key(container, name);
        super.removeBlob(container, name);
    }

    @Override
    public void removeBlobs(String container, Iterable<String> names) {
        for (String name : names) {
            key(container, name);
        }
        super.removeBlobs(container, names);
    }

    @Override
    public BlobAccess getBlobAccess(String container, String name) {
        key(container, name);
        return super.getBlobAccess(container, name);
    }

    @Override
    public void setBlobAccess(String container, String name, BlobAccess access) {
        key(container, name);
        super.setBlobAccess(container, name, access);
    }

    @Override
    public void downloadBlob(String container, String name, File destination) {
        key(container, name);
        super.downloadBlob(container, name, destination);
    }

    @Override
    public void downloadBlob(String container, String name, File destination, ExecutorService executor) {
        key(container, name);
        super.downloadBlob(container, name, destination, executor);
    }

    @Override
    public InputStream streamBlob(String container, String name) {
        key(container, name);
        return super.streamBlob(container, name);
    }

    @Override
    public InputStream streamBlob(String container, String name, ExecutorService executor) {
        key(container, name);
        return super.streamBlob(container, name, executor);
    }

    // ---- multipart uploads

    @Override
    public MultipartUpload initiateMultipartUpload(String container, BlobMetadata metadata, PutOptions options) {
        key(container, metadata.getName());
        return super.initiateMultipartUpload(container, metadata, options);
    }

    @Override
    public MultipartPart uploadMultipartPart(MultipartUpload mpu, int partNumber, Payload payload) {
        checkBeforeBody(() -> upload(mpu), payload);
        return super.uploadMultipartPart(mpu, partNumber, payload);
    }

    /**
     * Runs a check of a request that carries a body. When it refuses, the body the client is still sending is
     * read and dropped first (up to {@link #MAX_DISCARDED_BODY}): a refusal answered with the body unread makes
     * Jetty reset the connection, and the client then sees a failed write or a lost response instead of the
     * error, and its next request on that connection fails too.
     */
    private static void checkBeforeBody(Runnable check, Payload body) {
        try {
            check.run();
        } catch (RuntimeException refused) {
            discard(body);
            throw refused;
        }
    }

    static final int MAX_DISCARDED_BODY = 1 << 20;

    private static void discard(Payload body) {
        if (body == null) {
            return;
        }
        try {
            InputStream in = body.openStream(); // the request's own stream: not closed here, S3Proxy answers on it
            byte[] buffer = new byte[8192];
            int left = MAX_DISCARDED_BODY;
            int read;
            while (left > 0 && (read = in.read(buffer, 0, Math.min(buffer.length, left))) >= 0) {
                left -= read;
            }
        } catch (IOException | RuntimeException e) {
            // nothing more to do: the client gets the error or a closed connection, as before
        }
    }

    @Override
    public List<MultipartPart> listMultipartUpload(MultipartUpload mpu) {
        upload(mpu);
        return super.listMultipartUpload(mpu);
    }

    @Override
    public String completeMultipartUpload(MultipartUpload mpu, List<MultipartPart> parts) {
        upload(mpu);
        return super.completeMultipartUpload(mpu, parts);
    }

    @Override
    public void abortMultipartUpload(MultipartUpload mpu) {
        upload(mpu);
        super.abortMultipartUpload(mpu);
    }

    @Override
    public List<MultipartUpload> listMultipartUploads(String container) {
        bucket(container);
        return super.listMultipartUploads(container);
    }
}
