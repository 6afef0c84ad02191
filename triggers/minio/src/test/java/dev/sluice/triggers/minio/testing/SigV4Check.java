package dev.sluice.triggers.minio.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks an AWS Signature V4 header the way an S3 server does, written from the AWS specification (independent of
 * the SDK that signs Sluice's requests, so a mistake in how Sluice uses it shows up here): the canonical request
 * (method, path, sorted and re-encoded query, the signed headers, the payload hash), the string to sign over its
 * SHA-256, and the HMAC chain from the secret key. Answers with the S3 error code MinIO would send, or
 * {@code null} when the signature is right.
 */
final class SigV4Check {
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/s3/aws4_request,\\s*SignedHeaders=([^,]+),"
                    + "\\s*Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private SigV4Check() {
    }

    /**
     * @param rawPath  the path as sent (still percent-encoded)
     * @param rawQuery the query as sent, or {@code null}
     * @param header   a request header by name (case-insensitive), or {@code null}
     */
    static String check(String method, String rawPath, String rawQuery, Function<String, String> header,
                        String accessKey, String secretKey, String region) {
        String authorization = header.apply("Authorization");
        if (authorization == null) {
            return "AccessDenied";
        }
        Matcher auth = AUTHORIZATION.matcher(authorization);
        if (!auth.matches()) {
            return "AuthorizationHeaderMalformed";
        }
        if (!auth.group(1).equals(accessKey)) {
            return "InvalidAccessKeyId";
        }
        if (!auth.group(3).equals(region)) {
            return "AuthorizationHeaderMalformed";
        }
        String amzDate = header.apply("X-Amz-Date");
        if (amzDate == null || !amzDate.startsWith(auth.group(2))) {
            return "AccessDenied";
        }
        Instant signedAt = Instant.from(AMZ_DATE.parse(amzDate));
        if (Duration.between(signedAt, Instant.now()).abs().compareTo(Duration.ofMinutes(15)) > 0) {
            return "RequestTimeTooSkewed";
        }
        List<String> signedHeaders = Arrays.asList(auth.group(4).split(";"));
        if (!signedHeaders.contains("host")) {
            return "AccessDenied";
        }
        StringBuilder canonicalHeaders = new StringBuilder();
        for (String name : signedHeaders) {
            String value = header.apply(name);
            if (value == null) {
                return "AccessDenied";
            }
            canonicalHeaders.append(name).append(':').append(value.trim().replaceAll("\\s+", " ")).append('\n');
        }
        String payloadHash = header.apply("x-amz-content-sha256");
        String canonicalRequest = method + "\n"
                + rawPath + "\n"
                + canonicalQuery(rawQuery) + "\n"
                + canonicalHeaders + "\n"
                + auth.group(4) + "\n"
                + (payloadHash == null ? EMPTY_SHA256 : payloadHash);
        String scope = auth.group(2) + "/" + region + "/s3/aws4_request";
        String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonicalRequest));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), auth.group(2));
        key = hmac(key, region);
        key = hmac(key, "s3");
        key = hmac(key, "aws4_request");
        String expected = hex(hmac(key, stringToSign));
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                auth.group(5).getBytes(StandardCharsets.US_ASCII)) ? null : "SignatureDoesNotMatch";
    }

    /** Every name=value decoded, then encoded the SigV4 way, sorted by name and value. */
    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            pairs.add(Map.entry(uriEncode(decode(name)), uriEncode(decode(value))));
        }
        pairs.sort(Map.Entry.<String, String>comparingByKey().thenComparing(Map.Entry.comparingByValue()));
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> pair : pairs) {
            out.append(out.length() == 0 ? "" : "&").append(pair.getKey()).append('=').append(pair.getValue());
        }
        return out.toString();
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** RFC 3986: everything but A-Z a-z 0-9 - _ . ~ as %XX of its UTF-8 bytes. */
    private static String uriEncode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
