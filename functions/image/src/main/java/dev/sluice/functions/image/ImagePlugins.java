package dev.sluice.functions.image;

import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.IIOServiceProvider;
import javax.imageio.spi.ImageInputStreamSpi;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ImageWriterSpi;
import javax.imageio.spi.ServiceRegistry;

/**
 * Makes sure the TwelveMonkeys ImageIO plugins are registered. ImageIO finds plugins on the context class loader
 * of the thread that first touches it; when this module is loaded by another class loader (a plugins folder,
 * a container) they would be missing, so they are registered from this module's own class loader as well.
 */
final class ImagePlugins {
    private static volatile boolean registered;

    private ImagePlugins() {
    }

    static void ensureRegistered() {
        if (registered) {
            return;
        }
        synchronized (ImagePlugins.class) {
            if (registered) {
                return;
            }
            if (!ImageIO.getImageReadersByFormatName("webp").hasNext()) {
                ClassLoader loader = ImagePlugins.class.getClassLoader();
                IIORegistry registry = IIORegistry.getDefaultInstance();
                register(registry, ImageInputStreamSpi.class, loader);
                register(registry, ImageReaderSpi.class, loader);
                register(registry, ImageWriterSpi.class, loader);
            }
            registered = true;
        }
    }

    private static <T extends IIOServiceProvider> void register(IIORegistry registry, Class<T> type,
                                                                ClassLoader loader) {
        Iterator<T> providers = ServiceRegistry.lookupProviders(type, loader);
        while (providers.hasNext()) {
            registry.registerServiceProvider(providers.next());
        }
    }
}
