package dev.sluice.triggers;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * For Jetty handlers that answer a request without reading its body (a refusal: wrong method, path or token).
 * Jetty closes such a connection after the answer when the body has not all arrived yet; unless the answer says so,
 * a keep-alive client (MinIO's, Java's) may send its next request down the closing connection and get no answer.
 */
public final class UnreadBodies {
    private UnreadBodies() {
    }

    /** Marks the answer {@code Connection: close} when the request has a body. Call before the answer is written. */
    public static void closeConnectionAfterAnswer(Request request, Response response) {
        if (request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
    }
}
