package dev.sluice.storage;

import java.lang.reflect.Constructor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a rejected name into an S3 error response. S3Proxy answers a blobstore exception that carries
 * one of its {@code S3Exception}s in its cause chain with that S3 error (XML body, proper code); its
 * constructor is package-private, so it is made reflectively. Should a later S3Proxy change that, the
 * plain {@link IllegalArgumentException} still makes S3Proxy answer 400 Bad Request.
 */
final class S3ProxyErrors {
    private static final Logger LOG = LoggerFactory.getLogger(S3ProxyErrors.class);
    private static final Constructor<? extends Exception> S3_EXCEPTION = findConstructor();
    private static final Object INVALID_ARGUMENT = findErrorCode("INVALID_ARGUMENT");

    private S3ProxyErrors() {
    }

    /** Wraps the rejection so that S3Proxy answers {@code 400 InvalidArgument} with its message. */
    static RuntimeException invalidArgument(ObjectKeys.InvalidNameException rejection) {
        if (S3_EXCEPTION == null || INVALID_ARGUMENT == null) {
            return rejection;
        }
        try {
            Exception s3Error = S3_EXCEPTION.newInstance(INVALID_ARGUMENT, rejection.getMessage());
            return new RejectedRequestException(rejection.getMessage(), s3Error);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return rejection;
        }
    }

    /** Deliberately not an IllegalArgumentException: S3Proxy catches those first and answers without a body. */
    static final class RejectedRequestException extends RuntimeException {
        RejectedRequestException(String message, Throwable s3Error) {
            super(message, s3Error, false, false);
        }
    }

    @SuppressWarnings("unchecked")
    private static Constructor<? extends Exception> findConstructor() {
        try {
            Class<?> errorCode = Class.forName("org.gaul.s3proxy.S3ErrorCode");
            Class<? extends Exception> exception =
                    (Class<? extends Exception>) Class.forName("org.gaul.s3proxy.S3Exception");
            Constructor<? extends Exception> constructor = exception.getDeclaredConstructor(errorCode, String.class);
            constructor.setAccessible(true);
            return constructor;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("S3Proxy's S3Exception is not reachable ({}); rejected keys get a plain 400 response", e.toString());
            return null;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object findErrorCode(String name) {
        try {
            return Enum.valueOf((Class<Enum>) Class.forName("org.gaul.s3proxy.S3ErrorCode"), name);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
