package dev.sluice.functions.media;

import dev.sluice.core.BadInputException;
import dev.sluice.core.ConfigException;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import dev.sluice.core.pipeline.SafeKeys;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code hls}: an HTTP Live Streaming package that players (Safari, iOS, Android/ExoPlayer, hls.js, video.js)
 * play straight from a bucket: MPEG-TS (or, with {@code segment-format=fmp4}, fragmented MP4) segments and a
 * media playlist per rendition, and a master playlist that lists the renditions with their bandwidth, resolution
 * and codecs. All renditions come from one decode, with key
 * frames at the same instants so that players can switch between them at any segment.
 *
 * <p>Outputs are named like every function's: {@code {name}{suffix}.{ext}}, i.e. {@code clip.m3u8} (master),
 * {@code clip-720p.m3u8} (media playlist) and {@code clip-720p-00001.ts} (segments; fMP4: {@code
 * clip-720p-00001.m4s} and the initialization segment {@code clip-720p-init.mp4}). The playlists refer to each
 * other by these names, relative to their own location, so an output template must put all files of one input
 * in one folder and end in {@code {name}{suffix}.{ext}}, e.g. {@code s3://streams/{dir}/{name}/{name}{suffix}.{ext}}.
 * The variables {@code rendition} ({@code 720p}, or {@code master}) and {@code segment} ({@code 00001}, or
 * {@code playlist}) tell the files apart in logs and metadata.
 */
public final class HlsFunction implements SluiceFunction {
    static final String PLAYLIST_TYPE = "application/vnd.apple.mpegurl";
    /** The muxer's name for a rendition's fMP4 initialization segment, beside its playlist. */
    private static final String INIT_SEGMENT = "init.mp4";

    @Override
    public String name() {
        return "hls";
    }

    @Override
    public String description() {
        return "Package a video for HTTP Live Streaming: TS (or fMP4) segments and playlists per rendition plus a "
                + "master playlist, all renditions from one decode.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        List<ParameterSpec> specs = new ArrayList<>();
        specs.add(ParameterSpec.of("renditions", ParameterType.INT_LIST, "720,480,360", "Rendition heights (the "
                + "shorter side). Heights above the source are skipped; if none fits, the source size is used."));
        specs.add(ParameterSpec.of("segment-duration", ParameterType.DOUBLE, "6", "Target segment length in "
                + "seconds (a multiple of keyframe-interval)."));
        specs.add(ParameterSpec.oneOf("segment-format", "ts", "ts: MPEG-TS segments, played everywhere; fmp4: "
                + "fragmented MP4 (CMAF-style) segments with an initialization segment, smaller and shared with "
                + "DASH players (HLS version 7: iOS 10+, current browsers).", "ts", "fmp4"));
        for (ParameterSpec spec : VideoEncoding.parameters()) {
            // HLS players pick a rendition by its advertised bandwidth: cap the quality-based rate by default
            specs.add(spec.name().equals("rate-control")
                    ? new ParameterSpec(spec.name(), spec.type(), spec.description(), "capped", spec.allowed())
                    : spec);
        }
        specs.add(MediaLimits.MAX_DURATION);
        specs.add(MediaLimits.MAX_RESOLUTION);
        return specs;
    }

    @Override
    public void validate(Parameters parameters) {
        VideoEncoding encoding = VideoEncoding.from(parameters);
        double segment = parameters.getDouble("segment-duration");
        if (segment < 1 || segment > 60) {
            throw new ConfigException("hls: segment-duration must be between 1 and 60 seconds (6 is common).");
        }
        if (segment < encoding.keyframeInterval()) {
            throw new ConfigException("hls: segment-duration (" + segment + " s) must not be shorter than "
                    + "keyframe-interval (" + encoding.keyframeInterval() + " s): segments start at key frames.");
        }
        for (int height : parameters.getIntList("renditions")) {
            if (height < 16 || height > 8640) {
                throw new ConfigException("hls: rendition heights must be between 16 and 8640, e.g. 720,480,360.");
            }
        }
    }

    /** One rendition being packaged. */
    private record Variant(String name, Path dir, MediaPipeline.VideoBranch video, String level, double fps) {
    }

    /** How segments are stored: MPEG-TS, or fragmented MP4 with an initialization segment. */
    enum SegmentFormat {
        TS("ts", "video/mp2t", "mpegts", 3), FMP4("m4s", "video/iso.segment", "fmp4", 7);

        final String extension;
        final String contentType;
        final String muxerType;
        final int playlistVersion;

        SegmentFormat(String extension, String contentType, String muxerType, int playlistVersion) {
            this.extension = extension;
            this.contentType = contentType;
            this.muxerType = muxerType;
            this.playlistVersion = playlistVersion;
        }
    }

    /** A segment of a media playlist as the muxer wrote it: {@code sNNNNN.ts} (or {@code .m4s}) is number N. */
    private record Segment(double duration, int number) {
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        Parameters parameters = invocation.parameters();
        validate(parameters);
        VideoEncoding encoding = VideoEncoding.from(parameters);
        MediaLimits limits = MediaLimits.from(parameters);
        double segmentDuration = parameters.getDouble("segment-duration");
        SegmentFormat format = SegmentFormat.valueOf(parameters.getChoice("segment-format").toUpperCase(Locale.ROOT));
        String fileName = invocation.input().fileName();
        String base = baseName(invocation.input().key());
        try (SafeInput input = SafeInput.open(invocation);
             WorkDir work = new WorkDir();
             MediaPipeline pipeline = new MediaPipeline(input, invocation, name(), limits)) {
            MediaInfo info = input.info();
            limits.check(info, fileName);
            Optional<MediaInfo.StreamInfo> video = info.primaryVideo();
            Optional<MediaInfo.StreamInfo> audio = info.primaryAudio();
            if (video.isEmpty() && audio.isEmpty()) {
                throw new BadInputException("'" + fileName + "' has neither a video nor an audio stream.");
            }
            MediaPipeline.AudioBranch aac = audio.map(a -> pipeline.audio(encoding.aac(a.sampleRate(), a.channels())))
                    .orElse(null);
            List<Variant> variants = new ArrayList<>();
            if (video.isPresent()) {
                MediaInfo.StreamInfo source = video.get();
                double sourceFps = source.frameRate() == null ? 0 : source.frameRate();
                double fps = encoding.outputFps(sourceFps);
                List<Renditions.Rendition> renditions = Renditions.plan(parameters.getIntList("renditions"),
                        source.displayWidth(), source.displayHeight());
                for (Renditions.Rendition rendition : renditions) {
                    String level = H264Levels.level(rendition.width(), rendition.height(), fps);
                    MediaPipeline.VideoBranch branch = pipeline.video(encoding.chain(rendition, sourceFps, "yuv420p"),
                            encoding.h264(rendition, renditions.get(0), fps, true, level));
                    variants.add(new Variant(rendition.name(), Files.createDirectory(work.resolve(rendition.name())),
                            branch, level, fps));
                }
            } else {
                variants.add(new Variant("audio", Files.createDirectory(work.resolve("audio")), null, null, 0));
            }
            List<SegmentUploader> uploaders = new ArrayList<>();
            for (Variant variant : variants) {
                uploaders.add(new SegmentUploader(variant.dir(), format.extension, invocation.outputs(),
                        number -> segmentSpec(variant, number, format)));
                Map<String, String> options = new LinkedHashMap<>();
                options.put("hls_time", String.format(Locale.ROOT, "%.3f", segmentDuration));
                options.put("hls_playlist_type", "vod");
                options.put("hls_list_size", "0");
                options.put("hls_segment_type", format.muxerType);
                // temp_file: a segment gets its final name only when complete, so it can be stored at once
                options.put("hls_flags", "independent_segments+temp_file");
                options.put("hls_segment_filename", variant.dir().resolve("s%05d." + format.extension).toString());
                if (format == SegmentFormat.FMP4) {
                    options.put("hls_fmp4_init_filename", INIT_SEGMENT);
                }
                options.put("start_number", "1");
                pipeline.output(variant.dir().resolve("index.m3u8"), "hls", options, variant.video(), aac);
            }
            try (SegmentUploader.Streaming streaming = SegmentUploader.Streaming.start(uploaders)) {
                pipeline.run();
                streaming.finish();
            }

            StringBuilder master = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:" + format.playlistVersion
                    + "\n#EXT-X-INDEPENDENT-SEGMENTS\n");
            for (int v = 0; v < variants.size(); v++) {
                Variant variant = variants.get(v);
                SegmentUploader uploader = uploaders.get(v);
                List<Segment> segments = segments(variant.dir().resolve("index.m3u8"));
                if (segments.isEmpty()) {
                    throw new BadInputException("'" + fileName + "' gave no media for the " + variant.name()
                            + " rendition; the file is probably truncated or corrupt.");
                }
                StringBuilder playlist = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:" + format.playlistVersion + "\n");
                double longest = segments.stream().mapToDouble(Segment::duration).max().orElse(segmentDuration);
                playlist.append("#EXT-X-TARGETDURATION:").append((long) Math.ceil(longest)).append('\n')
                        .append("#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n");
                if (format == SegmentFormat.FMP4) {
                    playlist.append("#EXT-X-MAP:URI=\"").append(uri(base, storeInitSegment(variant, invocation)))
                            .append("\"\n");
                }
                long peak = 0;
                long totalBytes = 0;
                double totalSeconds = 0;
                for (Segment segment : segments) {
                    if (!uploader.stored(segment.number())) {
                        throw new MediaException("The HLS muxer listed segment " + segment.number() + " of the "
                                + variant.name() + " rendition but never completed it.");
                    }
                    long bytes = uploader.bytes(segment.number());
                    totalBytes += bytes;
                    totalSeconds += segment.duration();
                    if (segment.duration() > 0.5) {
                        peak = Math.max(peak, Math.round(bytes * 8 / segment.duration()));
                    }
                    playlist.append(String.format(Locale.ROOT, "#EXTINF:%.6f,%n", segment.duration()))
                            .append(uri(base, segmentSpec(variant, segment.number(), format))).append('\n');
                }
                playlist.append("#EXT-X-ENDLIST\n");
                OutputSpec playlistSpec = OutputSpec.of("-" + variant.name(), "m3u8", PLAYLIST_TYPE)
                        .with("rendition", variant.name()).with("segment", "playlist");
                invocation.outputs().write(playlistSpec, playlist.toString().getBytes(StandardCharsets.UTF_8));

                long average = totalSeconds > 0 ? Math.round(totalBytes * 8 / totalSeconds) : 0;
                peak = Math.max(peak, average);
                master.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(peak).append(",AVERAGE-BANDWIDTH=").append(average);
                if (variant.video() != null) {
                    master.append(",RESOLUTION=").append(variant.video().width()).append('x')
                            .append(variant.video().height())
                            .append(String.format(Locale.ROOT, ",FRAME-RATE=%.3f", variant.fps()));
                }
                master.append(",CODECS=\"").append(codecs(variant, aac != null)).append("\"\n")
                        .append(uri(base, playlistSpec)).append('\n');
            }
            invocation.outputs().write(OutputSpec.of("", "m3u8", PLAYLIST_TYPE).with("rendition", "master")
                    .with("segment", "playlist"), master.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** RFC 6381 codec strings: H.264 High profile at the rendition's level, AAC-LC. */
    private static String codecs(Variant variant, boolean audio) {
        List<String> codecs = new ArrayList<>();
        if (variant.video() != null) {
            int level = Math.round(Float.parseFloat(variant.level()) * 10);
            codecs.add(String.format(Locale.ROOT, "avc1.6400%02x", level));
        }
        if (audio) {
            codecs.add("mp4a.40.2");
        }
        return String.join(",", codecs);
    }

    /** Output of segment {@code number} of a rendition: {@code clip-720p-00001.ts}. */
    private static OutputSpec segmentSpec(Variant variant, int number, SegmentFormat format) {
        String padded = String.format(Locale.ROOT, "%05d", number);
        return OutputSpec.of("-" + variant.name() + "-" + padded, format.extension, format.contentType)
                .with("rendition", variant.name()).with("segment", padded);
    }

    /** Stores a rendition's fMP4 initialization segment ({@code clip-720p-init.mp4}) and returns its spec. */
    private static OutputSpec storeInitSegment(Variant variant, Invocation invocation) throws IOException {
        Path init = variant.dir().resolve(INIT_SEGMENT);
        if (!Files.exists(init)) {
            throw new MediaException("The HLS muxer wrote no initialization segment for the " + variant.name()
                    + " rendition.");
        }
        OutputSpec spec = OutputSpec.of("-" + variant.name() + "-init", "mp4", "video/mp4")
                .with("rendition", variant.name()).with("segment", "init");
        invocation.outputs().write(spec, init);
        return spec;
    }

    /** The segments listed in a playlist written by FFmpeg's HLS muxer. */
    private static List<Segment> segments(Path playlist) throws IOException {
        List<Segment> segments = new ArrayList<>();
        if (!Files.exists(playlist)) {
            return segments;
        }
        double duration = -1;
        for (String line : Files.readAllLines(playlist, StandardCharsets.UTF_8)) {
            line = line.strip();
            if (line.startsWith("#EXTINF:")) {
                String value = line.substring("#EXTINF:".length());
                int comma = value.indexOf(',');
                duration = Double.parseDouble(comma < 0 ? value : value.substring(0, comma));
            } else if (!line.isEmpty() && !line.startsWith("#")) {
                int number = SegmentUploader.number(Path.of(line).getFileName().toString());
                if (duration >= 0 && number >= 0) {
                    segments.add(new Segment(duration, number));
                }
                duration = -1;
            }
        }
        return segments;
    }

    /** The name the default template gives {@code spec}, as a relative URI: what a playlist must refer to. */
    static String uri(String base, OutputSpec spec) {
        String name = base + SafeKeys.sanitizeSegment(spec.suffix()) + "." + spec.extension();
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code {name}} of the output template for an input key. */
    static String baseName(String key) {
        String file = key.substring(key.lastIndexOf('/') + 1);
        int dot = file.lastIndexOf('.');
        return SafeKeys.sanitizeSegment(dot > 0 ? file.substring(0, dot) : file);
    }
}
