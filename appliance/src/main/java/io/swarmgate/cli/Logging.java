package io.swarmgate.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.swarmgate.config.ApplianceConfig;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Starts logging once the configuration is known, so the rolling file lands in the data
 * directory's {@code log/} and the level is the configured one. The logback file is
 * {@code /etc/swarmgate/logback.xml} when installed (admins may edit it), otherwise the copy of
 * {@code config/logback.xml} inside the jar.
 */
final class Logging {

    private static final Path INSTALLED = Path.of("/etc/swarmgate/logback.xml");

    private Logging() {
    }

    static void start(ApplianceConfig config, Path logDir) {
        System.setProperty("swarmgate.log.dir", logDir.toString());
        System.setProperty("swarmgate.log.level", config.logging().level());
        System.setProperty("swarmgate.log.requests", config.logging().requests() ? "INFO" : "OFF");
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(source());
        } catch (JoranException e) {
            throw new ExitCodes.CommandFailedException("cannot configure logging: " + e.getMessage(), e);
        }
    }

    /** For commands that only print: warnings and errors on the console, nothing on disk. */
    static void quiet() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }

    /** The installed logging configuration, or null when there is none (a checkout). */
    static Path installedFile() {
        return Files.isReadable(INSTALLED) ? INSTALLED : null;
    }

    private static URL source() {
        if (Files.isReadable(INSTALLED)) {
            try {
                return INSTALLED.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalStateException(e);
            }
        }
        return Logging.class.getClassLoader().getResource("defaults/logback.xml");
    }
}
