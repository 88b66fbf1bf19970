package io.swarmgate.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo page's files, read from the classpath on first use and then kept in memory (the jar's
 * content never changes while running). Only the names listed here are served, so no request path
 * can reach any other classpath resource. Read through the class loader, not a Jetty resource
 * factory: a jar mounted by Jetty's root factory is never released, and Jetty logs it as leaked.
 */
final class DemoPage {

    private static final Logger LOG = LoggerFactory.getLogger(DemoPage.class);

    /** The page and everything it loads; the SDK script comes from {@code /sdk/}, not from here. */
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "index.html", "text/html;charset=utf-8",
            "demo.js", "text/javascript;charset=utf-8",
            "demo.css", "text/css;charset=utf-8",
            "hls.min.js", "text/javascript;charset=utf-8",
            "dash.all.min.js", "text/javascript;charset=utf-8",
            "shaka-player.compiled.js", "text/javascript;charset=utf-8",
            "video.min.js", "text/javascript;charset=utf-8");

    /** One page file with the type it is served as. */
    record File(String contentType, byte[] bytes) {
    }

    private final String webRoot;
    private final Map<String, File> loaded = new ConcurrentHashMap<>();

    /** @param webRoot the classpath folder of the web files ({@code web}); the page is in its {@code demo/} folder */
    DemoPage(String webRoot) {
        this.webRoot = webRoot;
    }

    /** The file called {@code name}, or {@code null} if it is not a page file or was not built. */
    File find(String name) {
        String contentType = CONTENT_TYPES.get(name);
        if (contentType == null) {
            return null;
        }
        File file = loaded.get(name);
        if (file != null) {
            return file;
        }
        String path = webRoot + "/demo/" + name;
        try (InputStream in = DemoPage.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                // Happens when the jar was built with -Dnpm.skip=true and no sdk/dist.
                LOG.warn("{} - demo page file missing from the classpath ({})", name, path);
                return null;
            }
            file = new File(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read demo page file " + path, e);
        }
        loaded.putIfAbsent(name, file);
        return file;
    }
}
