package dev.sluice.core.exec;

import dev.sluice.core.SluiceException;
import java.time.Duration;

/** The function did not finish within its timeout; raise {@code functions.<name>.timeout} if inputs are legitimately large. */
public class InvocationTimeoutException extends SluiceException {
    public InvocationTimeoutException(String function, String input, Duration timeout, Throwable cause) {
        super("Function '" + function + "' did not finish " + input + " within " + timeout.toMillis()
                + " ms; raise functions." + function + ".timeout if such inputs are expected.", cause);
    }
}
