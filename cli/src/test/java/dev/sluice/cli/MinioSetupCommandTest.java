package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice minio setup} as a user runs it: the printed script (checked by running it with sh against a
 * recording mc), {@code --apply} with a recording mc on the PATH, and the errors for what cannot be set up.
 */
class MinioSetupCommandTest {
    static final String MC_VERSION = "mc version RELEASE.2025-04-16T18-13-26Z (commit-id=b00526b1)\n"
            + "Copyright (c) 2015-2025 MinIO, Inc.";

    @TempDir
    Path dir;

    final Map<String, String> env = new HashMap<>();

    @Test
    void webhookScriptNamesTheTokenByItsVariableAndNeverPrintsIt() throws IOException {
        Path config = write("""
                store: { endpoint: "http://minio:9000", accessKey: "${MINIO_ROOT_USER}", secretKey: "${MINIO_ROOT_PASSWORD}" }
                webhook: { host: 0.0.0.0, port: 8080, path: /events, token: "${HOOK_TOKEN}" }
                pipelines:
                  - name: thumbnails
                    match: { bucket: uploads, suffix: [.jpg, .png] }
                    steps:
                      - function: thumbnail
                        output: s3://thumbnails/{dir}/{name}-{width}.{ext}
                """);
        env.putAll(Map.of("MINIO_ROOT_USER", "admin", "MINIO_ROOT_PASSWORD", "root-password-1",
                "HOOK_TOKEN", "token-value-42"));

        CommandLineTest.Run run = setup("--config", config.toString(), "--webhook-url", "http://sluice:8080/events");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("#!/bin/sh\n")
                .contains("set -eu\n")
                .contains(": \"${HOOK_TOKEN:?set HOOK_TOKEN to the webhook token")
                .contains("#   mc alias set local http://minio:9000 \"$MINIO_ROOT_USER\" \"$MINIO_ROOT_PASSWORD\"\n")
                .contains("mc mb --ignore-existing local/uploads local/thumbnails local/sluice-dead-letters "
                        + "local/sluice-state\n")
                .contains("mc admin config set local notify_webhook:sluice \\\n"
                        + "    endpoint=http://sluice:8080/events \\\n"
                        + "    \"auth_token=${HOOK_TOKEN}\" \\\n"
                        + "    queue_dir=/opt/minio/events\n")
                .contains("mc admin service restart local\n")
                .contains("mc event add local/uploads arn:minio:sqs::sluice:webhook --event put --suffix .jpg "
                        + "--ignore-existing\n")
                .contains("mc event add local/uploads arn:minio:sqs::sluice:webhook --event put --suffix .PNG "
                        + "--ignore-existing\n")
                .doesNotContain("token-value-42").doesNotContain("root-password-1");
        assertThat(run.out().lines().filter(line -> line.startsWith("mc event add"))).hasSize(4);
        // every command has a comment saying why it is there
        assertThat(run.out()).contains("# Buckets the pipelines read and write")
                .contains("# Notification target 'sluice': MinIO POSTs each event to Sluice's webhook")
                .contains("# MinIO loads notification targets when it starts")
                .contains("# Bucket uploads: pipeline thumbnails.");
    }

    @Test
    void aTokenWrittenInTheFileIsReadFromSluiceWebhookTokenInstead() throws IOException {
        Path config = write(store() + """
                webhook: { host: 10.0.0.5, port: 9090, path: hooks, token: plain-secret }
                """ + pipelines("uploads", "[.txt]"));

        CommandLineTest.Run run = setup("--config", config.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("endpoint=http://10.0.0.5:9090/hooks")
                .contains("\"auth_token=${SLUICE_WEBHOOK_TOKEN}\"")
                .contains(": \"${SLUICE_WEBHOOK_TOKEN:?set SLUICE_WEBHOOK_TOKEN to webhook.token as written in "
                        + "sluice.yaml")
                .doesNotContain("plain-secret");
    }

    @Test
    void theScriptRunByShPassesExactlyTheArgumentsApplyPasses() throws Exception {
        // values that need quoting: spaces, both quotes, $, backslash, a glob character
        Path config = write(store() + """
                webhook: { host: 127.0.0.1, port: 8080, path: /events, token: "${HOOK_TOKEN}" }
                pipelines:
                  - name: tricky
                    match: { bucket: uploads, prefix: "it's my \\"files\\" $HOME\\\\*/", suffix: [".a b"] }
                    steps:
                      - function: thumbnail
                        output: s3://thumbnails/{dir}/{name}.{ext}
                """);
        env.put("HOOK_TOKEN", "a 'quoted'  token with $dollar and `ticks`"); // no double quote: the config interpolates text
        env.put("PATH", fakeMc("ok", null).toString());
        CommandLineTest.Run printed = setup("--config", config.toString(), "--queue-dir", "/data/queue dir");
        assertThat(printed.exitCode()).as(printed.err()).isZero();
        Path script = Files.writeString(dir.resolve("setup.sh"), printed.out());

        CommandLineTest.Run applied = setup("--config", config.toString(), "--queue-dir", "/data/queue dir", "--apply");
        assertThat(applied.exitCode()).as(applied.err()).isZero();
        List<String> applyCalls = calls();
        Files.delete(dir.resolve("calls.txt"));

        ProcessBuilder builder = new ProcessBuilder("sh", script.toString()).redirectErrorStream(true);
        builder.environment().put("PATH", env.get("PATH") + ":" + System.getenv("PATH"));
        builder.environment().put("HOOK_TOKEN", env.get("HOOK_TOKEN"));
        Process run = builder.start();
        String shOutput = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(shOutput).isZero();

        assertThat(calls()).isEqualTo(applyCalls);
        assertThat(applyCalls).contains("[event][add][local/uploads][arn:minio:sqs::sluice:webhook][--event][put]"
                + "[--prefix][it's my \"files\" $HOME\\*/][--suffix][.a b][--ignore-existing]");
        assertThat(applyCalls).contains("[admin][config][set][local][notify_webhook:sluice]"
                + "[endpoint=http://127.0.0.1:8080/events][auth_token=" + env.get("HOOK_TOKEN") + "]"
                + "[queue_dir=\"/data/queue dir\"]");
        // shown while applying, but never with the token itself
        assertThat(applied.out()).contains("\"auth_token=${HOOK_TOKEN}\"").doesNotContain("$dollar");
    }

    @Test
    void theScriptStopsWhenASecretIsNotSet() throws Exception {
        Path config = write(store() + """
                webhook: { host: 127.0.0.1, port: 8080, token: "${HOOK_TOKEN}" }
                """ + pipelines("uploads", "[.txt]"));
        env.put("HOOK_TOKEN", "t");
        env.put("PATH", fakeMc("ok", null).toString());
        Path script = Files.writeString(dir.resolve("setup.sh"), setup("--config", config.toString()).out());

        ProcessBuilder builder = new ProcessBuilder("sh", script.toString()).redirectErrorStream(true);
        builder.environment().put("PATH", env.get("PATH") + ":" + System.getenv("PATH"));
        builder.environment().remove("HOOK_TOKEN");
        Process run = builder.start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(run.exitValue()).isNotZero();
        assertThat(output).contains("HOOK_TOKEN").contains("set HOOK_TOKEN to the webhook token");
        assertThat(dir.resolve("calls.txt")).doesNotExist(); // nothing ran
    }

    @Test
    void applyRunsEveryCommandInOrderWithTheBrokerDefaultsOfSluiceWorker() throws IOException {
        Path config = write(store() + """
                deadLetters: failed
                stateBucket: manifests
                pipelines:
                  - name: docs
                    match: { bucket: docs, prefix: in/, suffix: [.pdf], events: [created, removed] }
                    steps:
                      - function: pdf-text
                        output: s3://docs-text/{dir}/{name}.{ext}
                        then:
                          - function: thumbnail
                            output: s3://docs-thumbs/{dir}/{name}.{ext}
                """);
        env.put("PATH", fakeMc("ok", null).toString());

        CommandLineTest.Run run = setup("--config", config.toString(), "--apply");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(calls()).containsExactly(
                "[mb][--ignore-existing][local/docs][local/docs-text][local/docs-thumbs][local/failed][local/manifests]",
                "[admin][config][set][local][notify_nats:sluice][address=127.0.0.1:4222][subject=sluice.events]"
                        + "[jetstream=on][queue_dir=/opt/minio/events]",
                "[admin][service][restart][local]",
                "[event][add][local/docs][arn:minio:sqs::sluice:nats][--event][put,delete][--prefix][in/]"
                        + "[--suffix][.pdf][--ignore-existing]",
                "[event][add][local/docs][arn:minio:sqs::sluice:nats][--event][put,delete][--prefix][in/]"
                        + "[--suffix][.PDF][--ignore-existing]");
        assertThat(run.out()).contains("[1/5] mc mb --ignore-existing local/docs")
                .contains("[5/5] mc event add local/docs")
                .contains("  mc: ok event add") // mc's own output is shown
                .contains("Done: MinIO announces the events of 1 pipeline(s) to notify_nats:sluice "
                        + "(arn:minio:sqs::sluice:nats).");
    }

    @Test
    void applyStopsAtTheFirstFailureAndSaysWhichCommandFailed() throws IOException {
        Path config = write(store() + pipelines("uploads", "[.jpg, .png]"));
        env.put("PATH", fakeMc("ok", "event add").toString());

        CommandLineTest.Run run = setup("--config", config.toString(), "--apply", "--alias", "prod");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(calls()).hasSize(4).last().asString().startsWith("[event][add][prod/uploads]");
        assertThat(run.out()).contains("mc: <ERROR> Unable to enable notification");
        assertThat(run.err()).contains("sluice: step 4 of 7 failed (mc exited with 1): mc event add prod/uploads "
                        + "arn:minio:sqs::sluice:nats --event put --suffix .jpg --ignore-existing")
                .contains("mc admin info --json prod lists the ARNs")
                .contains("Every step can be repeated safely");
    }

    @Test
    void applyWithoutMcOnThePathSaysWhatToDo() throws IOException {
        Path config = write(store() + pipelines("uploads", "[.jpg]"));
        env.put("PATH", Files.createDirectories(dir.resolve("empty-bin")) + ":" + dir.resolve("missing"));

        CommandLineTest.Run run = setup("--config", config.toString(), "--apply");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("neither mc nor mcli is on the PATH")
                .contains("https://min.io/docs/minio/linux/reference/minio-mc.html")
                .contains("mc alias set local http://127.0.0.1:9000")
                .contains("leave out --apply and run the script");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void applyRefusesMidnightCommander() throws IOException {
        Path config = write(store() + pipelines("uploads", "[.jpg]"));
        env.put("PATH", fakeMc("GNU Midnight Commander 4.8.30", null).toString());

        CommandLineTest.Run run = setup("--config", config.toString(), "--apply");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("is not the MinIO client").contains("GNU Midnight Commander 4.8.30");
        assertThat(dir.resolve("calls.txt")).doesNotExist();
    }

    @Test
    void mcliIsFoundWhereMcIsMissing() throws IOException {
        Path bin = fakeMc("ok", null);
        Files.move(bin.resolve("mc"), bin.resolve("mcli"));
        Path config = write(store() + pipelines("uploads", "[.jpg]"));
        env.put("PATH", bin.toString());

        CommandLineTest.Run run = setup("--config", config.toString(), "--apply");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(calls()).hasSize(5);
    }

    @Test
    void embeddedServerConfigNeedsNoSetup() {
        CommandLineTest.Run run = setup("--config", "../samples/thumbnails.yaml");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("sluice: ../samples/thumbnails.yaml has no 'store' section")
                .contains("`sluice serve` needs no MinIO setup")
                .contains("add a 'store' section");
    }

    @Test
    void aSampleWithAStoreGetsItsBucketsAndRules() throws IOException {
        String sample = Files.readString(Path.of("../samples/documents.yaml"));
        Path config = write(store() + sample.replaceAll("(?ms)^embedded:.*?(?=^\\S)", ""));

        CommandLineTest.Run run = setup("--config", config.toString(), "--target", "amqp");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("mc mb --ignore-existing local/docs local/docs-text local/docs-thumbnails "
                        + "local/docs-searchable local/sluice-dead-letters local/sluice-state\n")
                .contains("mc event add local/docs arn:minio:sqs::sluice:amqp --event put --suffix .pdf "
                        + "--ignore-existing\n")
                .contains("mc event add local/docs arn:minio:sqs::sluice:amqp --event put --suffix .PDF "
                        + "--ignore-existing\n");
    }

    @Test
    void amqpTargetMatchesTheWorkerAndHidesThePassword() throws IOException {
        Path config = write(store() + pipelines("uploads", "[.jpg]"));
        env.put("SLUICE_BROKER", "amqp");
        env.put("SLUICE_BROKER_URL", "amqp://sluice:p%40ss@rabbit:5672/");
        env.put("SLUICE_AMQP_ROUTING_KEY", "uploads.events");

        CommandLineTest.Run run = setup("--config", config.toString(), "--exchange", "media");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("mc admin config set local notify_amqp:sluice \\\n"
                        + "    \"url=amqp://sluice:${SLUICE_AMQP_PASSWORD}@rabbit:5672\" \\\n"
                        + "    exchange=media \\\n"
                        + "    exchange_type=direct \\\n"
                        + "    routing_key=uploads.events \\\n"
                        + "    durable=on \\\n"
                        + "    delivery_mode=2 \\\n"
                        + "    publisher_confirms=on \\\n"
                        + "    queue_dir=/opt/minio/events\n")
                .contains(": \"${SLUICE_AMQP_PASSWORD:?set SLUICE_AMQP_PASSWORD to the password in the AMQP URL")
                .contains("# Target: amqp, from SLUICE_BROKER as for `sluice worker`.")
                .doesNotContain("p%40ss");
    }

    @Test
    void kafkaTargetPublishesToTheWorkersTopic() throws IOException {
        Path config = write(store() + pipelines("uploads", "[.jpg]"));
        env.put("SLUICE_BROKER_URL", "kafka-0.kafka:9092, kafka-1.kafka:9092");
        env.put("SLUICE_KAFKA_TOPIC", "uploads-events");

        CommandLineTest.Run run = setup("--config", config.toString(), "--target", "kafka");
        CommandLineTest.Run badUrl = setup("--config", config.toString(), "--target", "kafka", "--url",
                "kafka://kafka:9092");
        CommandLineTest.Run badTopic = setup("--config", config.toString(), "--target", "kafka", "--topic", "a b");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("mc admin config set local notify_kafka:sluice \\\n"
                        + "    brokers=kafka-0.kafka:9092,kafka-1.kafka:9092 \\\n"
                        + "    topic=uploads-events \\\n"
                        + "    queue_dir=/opt/minio/events\n")
                .contains("mc event add local/uploads arn:minio:sqs::sluice:kafka --event put --suffix .jpg");
        assertThat(badUrl.exitCode()).isEqualTo(2);
        assertThat(badUrl.err()).contains("'kafka://kafka:9092' is not host:port");
        assertThat(badTopic.exitCode()).isEqualTo(2);
        assertThat(badTopic.err()).contains("Kafka topic 'a b' is not a valid name");
    }

    @Test
    void aConfigThatListensIsToldItNeedsNoTargetOnMinio() throws IOException {
        Path config = write(store() + "listen: { stateFile: listen-state.json }\n" + pipelines("uploads", "[.jpg]"));

        CommandLineTest.Run run = setup("--config", config.toString(), "--target", "nats");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().replaceAll("\\s*\\n#\\s*", " "))
                .contains("uses 'listen', MinIO's listen API: `sluice serve` with it needs no notification target"
                        + " and no event rules on MinIO, only the buckets.");
    }

    @Test
    void theBuiltInGuestUrlIsNoSecretAndApplyPassesTheRealPassword() throws IOException {
        Path config = write(store() + pipelines("uploads", "[.jpg]"));
        env.put("PATH", fakeMc("ok", null).toString());

        CommandLineTest.Run guest = setup("--config", config.toString(), "--target", "amqp");
        CommandLineTest.Run applied = setup("--config", config.toString(), "--target", "amqp",
                "--url", "amqp://sluice:hunter2@rabbit", "--apply");

        assertThat(guest.out()).contains("url=amqp://guest:guest@127.0.0.1:5672 \\\n").doesNotContain(":?set");
        assertThat(applied.exitCode()).as(applied.err()).isZero();
        assertThat(calls().get(1)).startsWith("[admin][config][set][local][notify_amqp:sluice]"
                + "[url=amqp://sluice:hunter2@rabbit][exchange=sluice][exchange_type=direct]"
                + "[routing_key=sluice.events][durable=on][delivery_mode=2][publisher_confirms=on]");
        assertThat(applied.out()).doesNotContain("hunter2");
    }

    @Test
    void natsCredentialsAreSplitIntoMinioKeysWithThePasswordHidden() throws IOException {
        Path config = write(store() + pipelines("uploads", "[.jpg]"));

        CommandLineTest.Run password = setup("--config", config.toString(), "--target", "nats",
                "--url", "tls://minio:s3cret@nats.internal:4443", "--subject", "media.events", "--target-id", "PRIMARY");
        CommandLineTest.Run token = setup("--config", config.toString(), "--url", "nats://tok3n@nats");

        assertThat(password.exitCode()).as(password.err()).isZero();
        assertThat(password.out()).contains("mc admin config set local notify_nats:PRIMARY \\\n"
                        + "    address=nats.internal:4443 \\\n"
                        + "    subject=media.events \\\n"
                        + "    jetstream=on \\\n"
                        + "    username=minio \\\n"
                        + "    \"password=${SLUICE_NATS_PASSWORD}\" \\\n"
                        + "    tls=on \\\n")
                .contains("arn:minio:sqs::PRIMARY:nats")
                .doesNotContain("s3cret");
        assertThat(token.out()).contains("address=nats:4222").contains("\"token=${SLUICE_NATS_TOKEN}\"")
                .doesNotContain("tok3n");
    }

    @Test
    void targetComesFromTheOptionThenTheWebhookThenSluiceBroker() throws IOException {
        Path withWebhook = write(store() + "webhook: { host: 127.0.0.1, port: 8080 }\n" + pipelines("u1", "[.x]"));
        env.put("SLUICE_BROKER", "amqp");

        assertThat(setup("--config", withWebhook.toString()).out()).contains("notify_webhook:sluice")
                .contains("The config's webhook has no token, so it takes events from anyone");
        assertThat(setup("--config", withWebhook.toString(), "--target", "nats").out()).contains("notify_nats:sluice");

        Path withoutWebhook = write(store() + pipelines("u1", "[.x]"));
        assertThat(setup("--config", withoutWebhook.toString()).out()).contains("notify_amqp:sluice");
        env.put("SLUICE_BROKER", "kafka");
        assertThat(setup("--config", withoutWebhook.toString()).out()).contains("notify_kafka:sluice");
        env.put("SLUICE_BROKER", "sqs");
        CommandLineTest.Run sqs = setup("--config", withoutWebhook.toString());
        assertThat(sqs.exitCode()).isEqualTo(2);
        assertThat(sqs.err()).contains("SLUICE_BROKER is 'sqs': use nats, amqp or kafka, or pass --target");
        CommandLineTest.Run noWebhook = setup("--config", withoutWebhook.toString(), "--target", "webhook");
        assertThat(noWebhook.exitCode()).isEqualTo(2);
        assertThat(noWebhook.err()).contains("--target webhook needs a 'webhook' section");
    }

    @Test
    void wrongOptionsAndUnwirableConfigsAreClearErrors() throws IOException {
        Path config = write(store() + pipelines("uploads", "[.jpg]"));
        Path anyBucket = write(store() + """
                pipelines:
                  - name: everywhere
                    match: { suffix: .jpg }
                    steps:
                      - function: thumbnail
                        output: s3://thumbnails/{dir}/{name}.{ext}
                """);
        Path aws = write("store: { region: eu-west-1, accessKey: a, secretKey: b }\n" + pipelines("uploads", "[.jpg]"));
        Path none = write(store() + "pipelines: []\n");

        assertThat(setup("--config", config.toString(), "--alias", "my alias").err())
                .contains("--alias 'my alias' is not an mc alias");
        assertThat(setup("--config", config.toString(), "--target-id", "a:b").err())
                .contains("--target-id 'a:b' is not a MinIO target id");
        assertThat(setup("--config", config.toString(), "--queue-dir", "relative/dir").err())
                .contains("--queue-dir 'relative/dir' must be an absolute path on the MinIO server");
        assertThat(setup("--config", config.toString(), "--url", "http://nats:4222").err())
                .contains("is not a NATS URL");
        assertThat(setup("--config", config.toString(), "--target", "amqp", "--exchange", "").err())
                .contains("name one with --exchange");
        assertThat(setup("--config", anyBucket.toString()).err())
                .contains("Pipeline 'everywhere' takes events from any bucket");
        assertThat(setup("--config", aws.toString()).err()).contains("the store has no endpoint (AWS S3)");
        assertThat(setup("--config", none.toString()).err()).contains("has no pipelines");
        assertThat(setup("--config", config.toString(), "--queue-dir", "").out())
                .contains("No queue_dir (--queue-dir is empty): MinIO drops the events it cannot deliver")
                .doesNotContain("queue_dir=");
    }

    @Test
    void theCommandIsRegisteredUnderSluiceMinio() {
        CommandLineTest.Run help = CommandLineTest.sluice("minio", "setup", "--help");
        CommandLineTest.Run bare = CommandLineTest.sluice("minio");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: sluice minio setup").contains("--apply").contains("--target");
        assertThat(bare.exitCode()).isEqualTo(2);
        assertThat(bare.err()).contains("Missing subcommand: try `sluice minio setup --config FILE`");
    }

    // --- helpers

    private CommandLineTest.Run setup(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new MinioSetupCommand(env::get));
        cli.setExecutionExceptionHandler(Main.commandLine().getExecutionExceptionHandler());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new CommandLineTest.Run(code, out.toString(), err.toString());
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("sluice.yaml");
        if (Files.exists(file)) {
            file = Files.createTempFile(dir, "sluice", ".yaml");
        }
        return Files.writeString(file, yaml);
    }

    private static String store() {
        return "store: { endpoint: \"http://127.0.0.1:9000\", accessKey: minio, secretKey: minio-secret }\n";
    }

    private static String pipelines(String bucket, String suffixes) {
        return """
                pipelines:
                  - name: p
                    match: { bucket: %s, suffix: %s }
                    steps:
                      - function: thumbnail
                        output: s3://thumbnails/{dir}/{name}.{ext}
                """.formatted(bucket, suffixes);
    }

    /**
     * A folder with an executable {@code mc} that answers {@code --version} with {@code version} and records every
     * other call as one line of {@code [arg][arg]...} in calls.txt; it fails the calls containing {@code failOn}.
     */
    private Path fakeMc(String version, String failOn) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path log = dir.resolve("calls.txt");
        String script = "#!/bin/sh\n"
                + "if [ \"$1\" = --version ]; then printf '%s\\n' '" + ("ok".equals(version) ? MC_VERSION : version)
                + "'; exit 0; fi\n"
                + "for a in \"$@\"; do printf '[%s]' \"$a\" >> '" + log + "'; done\n"
                + "printf '\\n' >> '" + log + "'\n"
                + (failOn == null ? "" : "case \"$*\" in *'" + failOn + "'*) "
                        + "echo 'mc: <ERROR> Unable to enable notification on the specified bucket.' >&2; exit 1;; esac\n")
                + "echo \"mc: ok $1 $2\"\n";
        Path mc = Files.writeString(bin.resolve("mc"), script);
        Files.setPosixFilePermissions(mc, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private List<String> calls() throws IOException {
        return new ArrayList<>(Files.readAllLines(dir.resolve("calls.txt")));
    }
}
