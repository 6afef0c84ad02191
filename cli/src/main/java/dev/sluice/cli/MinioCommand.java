package dev.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sluice minio}: helpers for running Sluice with an existing MinIO server. */
@Command(name = "minio", mixinStandardHelpOptions = true,
        description = "Set up a MinIO server for the pipelines of a config.",
        subcommands = {MinioSetupCommand.class})
final class MinioCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing subcommand: try `sluice minio setup --config FILE`.");
    }
}
