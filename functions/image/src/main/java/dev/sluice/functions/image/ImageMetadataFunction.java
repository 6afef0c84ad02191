package dev.sluice.functions.image;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.ImageProcessingException;
import com.drew.lang.GeoLocation;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.Tag;
import com.drew.metadata.exif.GpsDirectory;
import com.drew.metadata.xmp.XmpDirectory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.BadInputException;
import dev.sluice.core.LimitExceededException;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.SluiceFunction;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * {@code image-metadata}: the EXIF, IPTC, XMP, ICC and format metadata of a photo as JSON, read with Drew Noakes'
 * metadata-extractor (which reads the metadata segments only, never the pixels).
 */
public final class ImageMetadataFunction implements SluiceFunction {
    /** Made on first use: every command loads every function, and most never write JSON (start-up time). */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    @Override
    public String name() {
        return "image-metadata";
    }

    @Override
    public String description() {
        return "EXIF/IPTC/XMP metadata of an image (JPEG, PNG, TIFF, WebP, GIF, BMP, PSD, HEIF) as JSON.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(ParameterSpec.of("max-bytes", ParameterType.INT, "500000000",
                "Larger inputs are refused before reading."));
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        long maxBytes = invocation.parameters().getInt("max-bytes");
        if (invocation.input().size() > maxBytes) {
            throw new LimitExceededException(invocation.input().fileName() + " has " + invocation.input().size()
                    + " bytes, more than max-bytes=" + maxBytes + ".");
        }
        Metadata metadata;
        try (InputStream in = invocation.input().openStream()) {
            metadata = ImageMetadataReader.readMetadata(in);
        } catch (ImageProcessingException | IOException e) {
            throw new BadInputException(invocation.input().fileName() + " is not an image whose metadata can be read ("
                    + e.getMessage() + ").", e);
        }
        ObjectNode result = Json.MAPPER.createObjectNode();
        result.put("file", invocation.input().key());
        ObjectNode directories = result.putObject("directories");
        for (Directory directory : metadata.getDirectories()) {
            ObjectNode tags = directories.has(directory.getName())
                    ? (ObjectNode) directories.get(directory.getName()) : directories.putObject(directory.getName());
            for (Tag tag : directory.getTags()) {
                if (tag.getDescription() != null) {
                    tags.put(tag.getTagName(), tag.getDescription());
                }
            }
            for (String error : directory.getErrors()) {
                result.withArray("warnings").add(directory.getName() + ": " + error);
            }
        }
        for (GpsDirectory gps : metadata.getDirectoriesOfType(GpsDirectory.class)) {
            GeoLocation location = gps.getGeoLocation();
            if (location != null && !location.isZero()) {
                result.putObject("gps").put("latitude", location.getLatitude()).put("longitude", location.getLongitude());
                break;
            }
        }
        for (XmpDirectory xmp : metadata.getDirectoriesOfType(XmpDirectory.class)) {
            ObjectNode properties = result.putObject("xmp");
            for (Map.Entry<String, String> property : xmp.getXmpProperties().entrySet()) {
                properties.put(property.getKey(), property.getValue());
            }
        }
        invocation.outputs().write(OutputSpec.of("-metadata", "json", "application/json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(result));
    }
}
