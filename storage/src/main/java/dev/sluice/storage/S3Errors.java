package dev.sluice.storage;

import dev.sluice.core.SluiceException;
import dev.sluice.core.TransientException;
import dev.sluice.core.store.ObjectNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Maps AWS SDK failures onto Sluice's exceptions, with messages that say what to do. */
final class S3Errors {
    private static final Set<String> ACCESS_CODES = Set.of("AccessDenied", "InvalidAccessKeyId",
            "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "TokenRefreshRequired",
            "AuthorizationHeaderMalformed", "InvalidSecurity", "AllAccessDisabled");
    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "Throttling", "ThrottlingException",
            "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable", "OperationAborted",
            "XMinioServerNotInitialized", "XMinioStorageFull", "XMinioBackendDown");
    private static final Set<String> MISSING_CODES = Set.of("NoSuchKey", "NoSuchBucket", "NotFound",
            "NoSuchUpload");

    private final String endpoint;

    S3Errors(String endpoint) {
        this.endpoint = endpoint;
    }

    /** True when the store said the object (or its bucket) does not exist. */
    static boolean isNotFound(SdkException error) {
        return error instanceof AwsServiceException service
                && (service.statusCode() == 404 || has(MISSING_CODES, errorCode(service)));
    }

    static boolean isNoSuchBucket(SdkException error) {
        return error instanceof AwsServiceException service && "NoSuchBucket".equals(errorCode(service));
    }

    /**
     * The Sluice exception for a failed call.
     *
     * @param action what was being done, e.g. {@code "read"}, for the message
     * @param notFoundIsObject whether a 404 means "no such object" (reads) rather than a configuration
     *                         problem (writes into a missing bucket)
     */
    SluiceException map(SdkException error, String action, String bucket, String key, boolean notFoundIsObject) {
        String where = "s3://" + bucket + (key == null ? "" : "/" + key);
        if (error instanceof AwsServiceException service) {
            int status = service.statusCode();
            String code = errorCode(service);
            String detail = describe(service);
            if (status == 403 || status == 401 || has(ACCESS_CODES, code)) {
                return new SluiceException("The object store refused to " + action + " " + where + " (" + detail
                        + "). Check SLUICE_ACCESS_KEY/SLUICE_SECRET_KEY or the store settings (endpoint, region,"
                        + " the key's permissions on bucket '" + bucket + "').", error);
            }
            if (status >= 500 || status == 429 || has(TRANSIENT_CODES, code) || service.isThrottlingException()) {
                return new TransientException("The object store failed to " + action + " " + where + " (" + detail
                        + "); it will be retried.", error);
            }
            if ("NoSuchBucket".equals(code) && !notFoundIsObject) {
                return new SluiceException("Bucket '" + bucket + "' does not exist, so Sluice cannot " + action
                        + " " + where + ". Create the bucket or fix the bucket name in the config.", error);
            }
            if (status == 404 || has(MISSING_CODES, code)) {
                ObjectNotFoundException missing = new ObjectNotFoundException(bucket, key);
                missing.initCause(error);
                return missing;
            }
            return new SluiceException("The object store rejected the request to " + action + " " + where + " ("
                    + detail + ").", error);
        }
        if (isNetworkFailure(error)) {
            return new TransientException("Cannot reach the object store at " + endpoint + " to " + action + " "
                    + where + " (" + rootMessage(error) + "). Check that it is running and that the store"
                    + " endpoint is right; the call will be retried.", error);
        }
        if (error instanceof SdkClientException && rootMessage(error).toLowerCase(Locale.ROOT).contains("credential")) {
            return new SluiceException("No credentials for the object store: " + rootMessage(error)
                    + ". Set SLUICE_ACCESS_KEY/SLUICE_SECRET_KEY or the store settings.", error);
        }
        return new SluiceException("Failed to " + action + " " + where + ": " + rootMessage(error), error);
    }

    private static boolean isNetworkFailure(SdkException error) {
        if (error instanceof ApiCallTimeoutException || error instanceof ApiCallAttemptTimeoutException
                || error instanceof AbortedException) {
            return true;
        }
        if (error.retryable()) {
            return true;
        }
        for (Throwable t = error.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    private static boolean has(Set<String> codes, String code) {
        return code != null && codes.contains(code);
    }

    private static String errorCode(AwsServiceException service) {
        return service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
    }

    private static String describe(AwsServiceException service) {
        String code = errorCode(service);
        String message = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorMessage();
        StringBuilder out = new StringBuilder("HTTP ").append(service.statusCode());
        if (code != null) {
            out.append(' ').append(code);
        }
        if (message != null && !message.isBlank()) {
            out.append(": ").append(message);
        }
        return out.toString();
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + message;
    }
}
