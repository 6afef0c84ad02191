package dev.sluice.storage;

/**
 * Tuning of {@link S3ObjectStore}.
 *
 * @param multipartThreshold files at least this large are uploaded in parts
 * @param partSize           bytes per part (S3 needs at least 5 MiB for all but the last part); also the
 *                           memory one {@link S3ObjectStore#openForWrite} stream holds
 * @param listPageSize       keys fetched per ListObjectsV2 request (1..1000)
 */
public record S3StoreOptions(long multipartThreshold, int partSize, int listPageSize) {
    public static final int MiB = 1024 * 1024;
    /** S3's smallest part (except the last). */
    public static final int MIN_PART_SIZE = 5 * MiB;
    /** S3's largest part. */
    public static final long MAX_PART_SIZE = 5L * 1024 * MiB;
    /** S3's most parts per upload. */
    public static final int MAX_PARTS = 10_000;

    public S3StoreOptions {
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("partSize must be at least 5 MiB (S3's minimum part size), was "
                    + partSize);
        }
        if (multipartThreshold < partSize) {
            throw new IllegalArgumentException("multipartThreshold (" + multipartThreshold
                    + ") must be at least partSize (" + partSize + ")");
        }
        if (listPageSize < 1 || listPageSize > 1000) {
            throw new IllegalArgumentException("listPageSize must be 1..1000, was " + listPageSize);
        }
    }

    /** 16 MiB threshold, 8 MiB parts, 1000 keys per page. */
    public static S3StoreOptions defaults() {
        return new S3StoreOptions(16L * MiB, 8 * MiB, 1000);
    }

    public S3StoreOptions withMultipartThreshold(long threshold) {
        return new S3StoreOptions(threshold, partSize, listPageSize);
    }

    public S3StoreOptions withPartSize(int size) {
        return new S3StoreOptions(Math.max(multipartThreshold, size), size, listPageSize);
    }

    public S3StoreOptions withListPageSize(int pageSize) {
        return new S3StoreOptions(multipartThreshold, partSize, pageSize);
    }

    /** Part size for an object of {@code size} bytes: the configured one, grown to stay within 10,000 parts. */
    long partSizeFor(long size) {
        long needed = (size + MAX_PARTS - 1) / MAX_PARTS;
        return Math.max(partSize, needed);
    }
}
