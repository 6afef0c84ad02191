package dev.sluice.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.SluiceException;
import dev.sluice.core.TransientException;
import dev.sluice.core.store.ObjectNotFoundException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** How SDK failures (as the SDK reports them) become Sluice exceptions. */
class S3ErrorsTest {
    private final S3Errors errors = new S3Errors("http://127.0.0.1:9000");

    private static S3Exception s3(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("message from the store").build())
                .build();
    }

    @Test
    void serverErrorsAndThrottlingAreTransient() {
        for (S3Exception error : new S3Exception[] {s3(500, "InternalError"), s3(503, "SlowDown"),
                s3(503, "ServiceUnavailable"), s3(429, null), s3(400, "RequestTimeout"), s3(502, null)}) {
            assertThat(errors.map(error, "read", "b", "k", true)).as(error.toString())
                    .isInstanceOf(TransientException.class)
                    .hasMessageContaining("s3://b/k")
                    .hasCause(error);
        }
    }

    @Test
    void refusedCredentialsSayWhatToCheck() {
        for (S3Exception error : new S3Exception[] {s3(403, "AccessDenied"), s3(403, "SignatureDoesNotMatch"),
                s3(403, "InvalidAccessKeyId"), s3(403, null), s3(400, "AuthorizationHeaderMalformed")}) {
            assertThat(errors.map(error, "upload", "b", "k", false))
                    .isNotInstanceOf(TransientException.class)
                    .hasMessageContaining("Check SLUICE_ACCESS_KEY/SLUICE_SECRET_KEY or the store settings");
        }
    }

    @Test
    void missingThingsAreNotFoundForReadsAndAConfigErrorForWrites() {
        assertThat(errors.map(s3(404, "NoSuchKey"), "read", "b", "k", true)).isInstanceOf(ObjectNotFoundException.class);
        assertThat(errors.map(s3(404, null), "read", "b", "k", true)).isInstanceOf(ObjectNotFoundException.class);
        assertThat(errors.map(s3(404, "NoSuchBucket"), "upload", "b", "k", false))
                .isNotInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("Bucket 'b' does not exist");
    }

    @Test
    void networkFailuresAreTransient() {
        SdkClientException refused = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new ConnectException("Connection refused")).build();
        assertThat(errors.map(refused, "read", "b", "k", true))
                .isInstanceOf(TransientException.class)
                .hasMessageContaining("http://127.0.0.1:9000")
                .hasMessageContaining("Connection refused");
    }

    @Test
    void otherClientErrorsAreNotRetried() {
        SluiceException mapped = errors.map(s3(400, "InvalidArgument"), "upload", "b", "k", false);
        assertThat(mapped).isNotInstanceOf(TransientException.class).hasMessageContaining("InvalidArgument");
    }
}
