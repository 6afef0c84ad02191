package dev.sluice.core;

/** The configuration or a command line is wrong; the message names the setting and how to fix it. */
public class ConfigException extends SluiceException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
