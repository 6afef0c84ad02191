package dev.sluice.cli;

import java.util.function.Function;

/**
 * Access keys for the embedded S3 server, from {@code SLUICE_ACCESS_KEY} and {@code SLUICE_SECRET_KEY}.
 * Without them, well-known development keys are used and printed, which is fine on a laptop and nowhere else.
 */
record Credentials(String accessKey, String secretKey, boolean developmentDefaults) {
    static final String DEV_ACCESS_KEY = "sluice";
    static final String DEV_SECRET_KEY = "sluice-dev-secret";

    static Credentials fromEnvironment(Function<String, String> env) {
        String access = env.apply("SLUICE_ACCESS_KEY");
        String secret = env.apply("SLUICE_SECRET_KEY");
        if (access != null && !access.isBlank() && secret != null && !secret.isBlank()) {
            return new Credentials(access, secret, false);
        }
        return new Credentials(DEV_ACCESS_KEY, DEV_SECRET_KEY, true);
    }

    @Override
    public String toString() {
        return "Credentials[accessKey=" + accessKey + "]";
    }
}
