package dev.sluice.cli;

import dev.sluice.core.ConfigException;
import dev.sluice.core.config.ConfigLoader;
import dev.sluice.core.config.SluiceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Loads the config named on the command line, or the built-in demo ({@code samples/thumbnails.yaml}). */
final class ConfigFiles {
    static final String DEMO = "samples/thumbnails.yaml";

    private ConfigFiles() {
    }

    static SluiceConfig load(Path file) {
        ConfigLoader loader = new ConfigLoader();
        if (file != null) {
            return loader.load(file);
        }
        try (InputStream in = ConfigFiles.class.getClassLoader().getResourceAsStream(DEMO)) {
            if (in == null) {
                throw new ConfigException("The built-in demo config " + DEMO + " is missing from the class path; "
                        + "pass --config FILE.");
            }
            return loader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), Path.of("").toAbsolutePath());
        } catch (IOException e) {
            throw new ConfigException("Cannot read the built-in demo config: " + e.getMessage(), e);
        }
    }
}
