package dev.sluice.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Rules for the names that reach the embedded server's filesystem. Object keys and bucket names come
 * from HTTP requests and are hostile: nothing may resolve outside the data folder, and nothing may
 * alias another key or the blobstore's own bookkeeping files.
 */
final class ObjectKeys {
    /** jclouds' local blobstore keeps multipart parts as ".mpus-{uploadId}-{key}-{part}" in the bucket. */
    static final String JCLOUDS_PART_PREFIX = ".mpus-";
    /** S3Proxy keeps one stub per open multipart upload as ".s3proxy-mpu-stub-{uploadId}". */
    static final String S3PROXY_STUB_PREFIX = ".s3proxy-mpu-stub-";

    static final int MAX_KEY_BYTES = 1024;

    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern UPLOAD_ID = Pattern.compile("[A-Za-z0-9-]{1,128}");

    private ObjectKeys() {
    }

    /** Thrown for a name the embedded server refuses; S3 clients see it as {@code InvalidArgument}. */
    static final class InvalidNameException extends IllegalArgumentException {
        InvalidNameException(String message) {
            super(message);
        }
    }

    /** True for the blobstore's own files, which are neither listed nor announced. */
    static boolean isInternal(String key) {
        return key != null && (key.startsWith(JCLOUDS_PART_PREFIX) || key.startsWith(S3PROXY_STUB_PREFIX));
    }

    /** Checks an object key used to read, write or delete. */
    static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidNameException("Object key must not be empty.");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new InvalidNameException("Object key is longer than " + MAX_KEY_BYTES + " bytes.");
        }
        checkCharacters(key, "Object key");
        if (key.startsWith("/") || key.startsWith("\\")) {
            throw new InvalidNameException("Object key must not start with '/' or '\\': " + quote(key));
        }
        String[] segments = key.split("[/\\\\]", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidNameException("Object key must not contain '.' or '..' path segments: " + quote(key));
            }
            // "a//b" would be stored as "a/b"; only a trailing "/" (a folder marker) may leave one empty.
            if (segment.isEmpty() && i < segments.length - 1) {
                throw new InvalidNameException("Object key must not contain an empty path segment ('//'): "
                        + quote(key));
            }
        }
        if (key.startsWith(JCLOUDS_PART_PREFIX)) {
            throw new InvalidNameException("Object keys starting with '" + JCLOUDS_PART_PREFIX
                    + "' are reserved by the embedded S3 server.");
        }
    }

    /**
     * Checks a listing prefix. Its last segment may be partial ("photos/.." is a fine prefix for
     * "photos/..hidden"), but every complete segment is a folder the blobstore opens, so it follows the
     * key rules.
     */
    static void checkPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return;
        }
        checkCharacters(prefix, "Prefix");
        if (prefix.startsWith("/") || prefix.startsWith("\\")) {
            throw new InvalidNameException("Prefix must not start with '/' or '\\': " + quote(prefix));
        }
        String[] segments = prefix.split("[/\\\\]", -1);
        for (int i = 0; i < segments.length - 1; i++) {
            String segment = segments[i];
            if (segment.equals(".") || segment.equals("..") || segment.isEmpty()) {
                throw new InvalidNameException("Prefix must not contain '.', '..' or empty path segments: "
                        + quote(prefix));
            }
        }
    }

    /** Checks a bucket name on every access: it is one folder under the data folder. */
    static void checkBucket(String bucket) {
        if (bucket == null || bucket.isEmpty()) {
            throw new InvalidNameException("Bucket name must not be empty.");
        }
        checkCharacters(bucket, "Bucket name");
        if (bucket.equals(".") || bucket.equals("..") || bucket.contains("/") || bucket.contains("\\")) {
            throw new InvalidNameException("Bucket name must be a single folder name: " + quote(bucket));
        }
    }

    /** Checks the name of a bucket being created against S3's naming rules. */
    static void checkNewBucket(String bucket) {
        checkBucket(bucket);
        if (!BUCKET_NAME.matcher(bucket).matches() || bucket.contains("..")) {
            throw new InvalidNameException("Invalid bucket name " + quote(bucket) + ": use 3-63 characters of"
                    + " lower-case letters, digits, '.' and '-', starting and ending with a letter or digit.");
        }
    }

    /** Upload ids come back from clients and end up in file names. */
    static void checkUploadId(String uploadId) {
        if (uploadId == null || !UPLOAD_ID.matcher(uploadId).matches()) {
            throw new InvalidNameException("Invalid multipart upload id: " + quote(String.valueOf(uploadId)));
        }
    }

    /** Belt and braces: the file a key maps to must lie inside the bucket's folder. */
    static void checkInside(Path dataDir, String bucket, String key) {
        Path bucketDir = dataDir.resolve(bucket).normalize();
        Path file = bucketDir.resolve(key).normalize();
        if (!bucketDir.startsWith(dataDir) || !file.startsWith(bucketDir) || file.equals(bucketDir)) {
            throw new InvalidNameException("Object key resolves outside its bucket: " + quote(key));
        }
    }

    private static void checkCharacters(String name, String what) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new InvalidNameException(what + " must not contain control characters: " + quote(name));
            }
        }
    }

    private static String quote(String value) {
        String shown = value.length() > 200 ? value.substring(0, 200) + "..." : value;
        StringBuilder out = new StringBuilder("'");
        for (char c : shown.toCharArray()) {
            out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.append('\'').toString();
    }
}
