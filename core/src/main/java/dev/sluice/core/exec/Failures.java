package dev.sluice.core.exec;

import dev.sluice.core.BadInputException;
import dev.sluice.core.TransientException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Decides which failures are worth retrying: transient ones only, so a bad file is never hammered. */
final class Failures {
    private Failures() {
    }

    static boolean isTransient(Throwable error) {
        for (Throwable t = unwrap(error); t != null; t = t.getCause()) {
            if (t instanceof BadInputException || t instanceof InvocationTimeoutException) {
                return false;
            }
            if (t instanceof TransientException || t instanceof ConnectException
                    || t instanceof SocketTimeoutException || t instanceof SocketException) {
                return true;
            }
        }
        return false;
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A one-line description for logs and dead letters. */
    static String describe(Throwable error) {
        Throwable t = unwrap(error);
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
