package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingConfiguratorTest {

    @Test
    void sluiceLogsAtInfoAndLibrariesOnlyWhenTheyWarn() {
        LoggerContext context = new LoggerContext();
        LoggingConfigurator configurator = new LoggingConfigurator();
        configurator.setContext(context);

        assertThat(configurator.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.WARN);
        assertThat(root.getAppender("STDERR")).isInstanceOfSatisfying(ConsoleAppender.class,
                a -> assertThat(a.getTarget()).isEqualTo("System.err"));
        assertThat(context.getLogger("dev.sluice.core.exec.SluiceExecutor").getEffectiveLevel())
                .isEqualTo(System.getenv("SLUICE_LOG_LEVEL") == null ? Level.INFO
                        : Level.toLevel(System.getenv("SLUICE_LOG_LEVEL")));
        assertThat(context.getLogger("org.eclipse.jetty.server.Server").getEffectiveLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("org.apache.pdfbox.filter.FlateFilter").getEffectiveLevel())
                .isEqualTo(Level.OFF);
    }

    @Test
    void linesAreFormattedByThePatternOnceSomethingIsLogged() {
        LoggerContext context = new LoggerContext();
        LoggingConfigurator configurator = new LoggingConfigurator();
        configurator.setContext(context);
        configurator.configure(context);
        @SuppressWarnings("unchecked")
        ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>)
                context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        var encoder = (LoggingConfigurator.FirstUsePatternEncoder) stderr.getEncoder();

        Logger logger = context.getLogger("dev.sluice.core.exec.SluiceExecutor");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN, "Retrying {} in {} ms",
                null, new Object[] {"thumbnail", 250});
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  d\\.s\\.c\\.e\\.SluiceExecutor - "
                + "Retrying thumbnail in 250 ms\\R");
        assertThat(encoder.delegate().getPattern()).isEqualTo(LoggingConfigurator.PATTERN);
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(status -> status.getLevel() >= ch.qos.logback.core.status.Status.WARN);
    }

    @Test
    void theCliIsConfiguredByItWhenItRuns() {
        // the service file makes logback use the configurator in this JVM too
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNotNull();
        assertThat(context.getLogger("dev.sluice").getLevel()).isNotNull();
    }
}
