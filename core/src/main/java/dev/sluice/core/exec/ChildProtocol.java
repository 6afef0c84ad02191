package dev.sluice.core.exec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.BadInputException;
import dev.sluice.core.LimitExceededException;
import dev.sluice.core.SluiceException;
import dev.sluice.core.TransientException;
import dev.sluice.core.function.OutputSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * What a parent and its child JVM say to each other ({@link ChildProcesses}, {@link ChildMain}): one JSON object per
 * line, requests on the child's standard input, messages on its standard output. Message lines start with
 * {@link #MARKER}, so that whatever a native library prints there is told apart and only logged.
 */
final class ChildProtocol {
    static final String MARKER = "\u0001sluice-child ";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private ChildProtocol() {
    }

    /** One invocation: the function (by class), its input as a local file, and where outputs go. */
    record Request(String functionClass, String key, String file, String contentType, long size,
                   Map<String, String> params, long timeoutMillis, String outputDir) {
    }

    /** A progress report, or the end of an invocation: its outputs, or its error. */
    record Message(Double progress, List<Output> outputs, Failure failure) {
        static Message progressOf(double fraction) {
            return new Message(fraction, null, null);
        }

        static Message done(List<Output> outputs) {
            return new Message(null, outputs, null);
        }

        static Message failed(Failure failure) {
            return new Message(null, null, failure);
        }
    }

    /** An output the child wrote to a file in the request's output folder. */
    record Output(String file, String suffix, String extension, String contentType, Map<String, String> vars) {
        static Output of(String file, OutputSpec spec) {
            return new Output(file, spec.suffix(), spec.extension(), spec.contentType(), spec.vars());
        }

        OutputSpec spec() {
            return new OutputSpec(suffix, extension, contentType, vars);
        }
    }

    /** An invocation's error, by the kind that decides retries and dead letters, with its message. */
    record Failure(Kind kind, String message) {
        enum Kind { BAD_INPUT, LIMIT, TRANSIENT, TIMEOUT, ERROR }

        static Failure of(Throwable error) {
            Throwable t = Failures.unwrap(error);
            Kind kind = t instanceof LimitExceededException ? Kind.LIMIT
                    : t instanceof BadInputException ? Kind.BAD_INPUT
                    : t instanceof InvocationTimeoutException ? Kind.TIMEOUT
                    : Failures.isTransient(t) ? Kind.TRANSIENT : Kind.ERROR;
            String message = t instanceof SluiceException && t.getMessage() != null ? t.getMessage()
                    : Failures.describe(t);
            return new Failure(kind, message);
        }

        /** The same kind of exception in the parent, so that retries and dead letters treat it alike. */
        SluiceException toException() {
            return switch (kind) {
                case LIMIT -> new LimitExceededException(message);
                case BAD_INPUT -> new BadInputException(message);
                case TRANSIENT -> new TransientException(message);
                default -> new SluiceException(message);
            };
        }
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T read(String line, Class<T> type) throws IOException {
        return JSON.readValue(line, type);
    }
}
