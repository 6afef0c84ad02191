package dev.sluice.functions.pdf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sluice.core.function.Invocation;
import dev.sluice.core.function.OutputSpec;
import dev.sluice.core.function.ParameterSpec;
import dev.sluice.core.function.ParameterType;
import dev.sluice.core.function.Parameters;
import dev.sluice.core.function.SluiceFunction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSBoolean;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSNumber;
import org.apache.pdfbox.cos.COSObject;
import org.apache.pdfbox.cos.COSString;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentCatalog;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDDocumentNameDictionary;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDMetadata;
import org.apache.pdfbox.pdmodel.common.PDNameTreeNode;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.common.filespecification.PDComplexFileSpecification;
import org.apache.pdfbox.pdmodel.common.filespecification.PDEmbeddedFile;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.PDEncryption;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotation;
import org.apache.pdfbox.pdmodel.interactive.documentnavigation.outline.PDDocumentOutline;
import org.apache.pdfbox.pdmodel.interactive.form.PDAcroForm;
import org.apache.pdfbox.pdmodel.interactive.form.PDField;
import org.apache.xmpbox.XMPMetadata;
import org.apache.xmpbox.schema.AdobePDFSchema;
import org.apache.xmpbox.schema.DublinCoreSchema;
import org.apache.xmpbox.schema.PDFAIdentificationSchema;
import org.apache.xmpbox.schema.XMPBasicSchema;
import org.apache.xmpbox.schema.XMPMediaManagementSchema;
import org.apache.xmpbox.xml.DomXmpParser;

/**
 * {@code pdf-metadata}: one JSON document describing a PDF: pages and page sizes, version, document information,
 * encryption and permissions, XMP, embedded files, annotations, and whether it is tagged, has a form, or is
 * scanned (no page has a text layer).
 */
public final class PdfMetadataFunction implements SluiceFunction {
    /** Made on first use: every command loads every function, and most never write JSON (start-up time). */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }
    private static final Set<String> STANDARD_INFO_KEYS = Set.of("Title", "Author", "Subject", "Keywords",
            "Creator", "Producer", "CreationDate", "ModDate", "Trapped");
    /** XMP packets beyond this are summarised but not copied whole into the JSON. */
    private static final int MAX_XMP_BYTES = 1 << 20;
    private static final int MAX_VALUE_DEPTH = 4;

    static {
        PdfDocuments.init();
    }

    @Override
    public String name() {
        return "pdf-metadata";
    }

    @Override
    public String description() {
        return "Describe a PDF as JSON: pages, sizes, version, title/author/dates, encryption and permissions, XMP, "
                + "attachments, tagged/form/scanned.";
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(
                ParameterSpec.of("detect-text", ParameterType.BOOLEAN, "true",
                        "Look for a text layer on every page to report 'scanned' and 'pagesWithoutText' "
                                + "(reads every page; false skips it for speed)."),
                PdfDocuments.PASSWORD_SPEC,
                PdfDocuments.MAX_PAGES_SPEC);
    }

    @Override
    public void apply(Invocation invocation) throws Exception {
        Map<String, Object> metadata;
        try (PDDocument document = PdfDocuments.open(invocation)) {
            metadata = describe(document, invocation, invocation.parameters());
        }
        try (OutputStream out = invocation.outputs().open(OutputSpec.of("-metadata", "json", "application/json"))) {
            Json.MAPPER.writeValue(out, metadata);
        }
    }

    private static Map<String, Object> describe(PDDocument document, Invocation invocation, Parameters parameters)
            throws IOException {
        PDDocumentCatalog catalog = document.getDocumentCatalog();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", invocation.input().key());
        out.put("pageCount", document.getNumberOfPages());
        out.put("pdfVersion", String.valueOf(document.getVersion()));
        out.put("pageSizes", pageSizes(document, invocation));
        putInfo(out, document.getDocumentInformation());
        out.put("language", catalog.getLanguage());
        putEncryption(out, document, parameters);
        out.put("xmp", xmp(catalog.getMetadata(), invocation));
        out.put("embeddedFiles", embeddedFiles(catalog, invocation));
        out.put("tagged", catalog.getMarkInfo() != null && catalog.getMarkInfo().isMarked()
                || catalog.getStructureTreeRoot() != null);
        out.put("form", form(catalog, invocation));
        out.put("hasOutline", hasOutline(catalog));
        out.put("annotations", annotations(document, invocation));
        if (parameters.getBoolean("detect-text")) {
            List<Integer> withoutText = new ArrayList<>();
            new PageTextExtractor(PageSelection.ALL, invocation::checkDeadline, page -> {
                if (!page.hasTextLayer()) {
                    withoutText.add(page.number());
                }
            }).extract(document);
            out.put("scanned", withoutText.size() == document.getNumberOfPages());
            out.put("pagesWithoutText", withoutText);
        } else {
            out.put("scanned", null);
            out.put("pagesWithoutText", null);
        }
        return out;
    }

    /** Runs of consecutive pages with the same visible size (crop box, in points) and rotation. */
    private static List<Map<String, Object>> pageSizes(PDDocument document, Invocation invocation) {
        List<Map<String, Object>> runs = new ArrayList<>();
        Map<String, Object> run = null;
        int number = 0;
        for (PDPage page : document.getPages()) {
            number++;
            if (number % 100 == 0) {
                invocation.checkDeadline();
            }
            PDRectangle box = page.getCropBox();
            double width = round(box.getWidth());
            double height = round(box.getHeight());
            int rotation = page.getRotation();
            if (run != null && run.get("width").equals(width) && run.get("height").equals(height)
                    && run.get("rotation").equals(rotation)) {
                run.put("last", number);
            } else {
                run = new LinkedHashMap<>();
                run.put("first", number);
                run.put("last", number);
                run.put("width", width);
                run.put("height", height);
                run.put("rotation", rotation);
                runs.add(run);
            }
        }
        return runs;
    }

    private static void putInfo(Map<String, Object> out, PDDocumentInformation info) {
        out.put("title", info.getTitle());
        out.put("author", info.getAuthor());
        out.put("subject", info.getSubject());
        out.put("keywords", info.getKeywords());
        out.put("creator", info.getCreator());
        out.put("producer", info.getProducer());
        out.put("creationDate", safeDate(info, true));
        out.put("modificationDate", safeDate(info, false));
        out.put("trapped", safeTrapped(info));
        Map<String, Object> custom = new TreeMap<>();
        for (String key : info.getMetadataKeys()) {
            if (!STANDARD_INFO_KEYS.contains(key)) {
                custom.put(key, plain(info.getCOSObject().getDictionaryObject(key), 0));
            }
        }
        out.put("custom", custom);
    }

    private static String safeDate(PDDocumentInformation info, boolean creation) {
        try {
            return iso(creation ? info.getCreationDate() : info.getModificationDate());
        } catch (RuntimeException e) {
            return null; // malformed date string: leave it out rather than fail the file
        }
    }

    private static String safeTrapped(PDDocumentInformation info) {
        try {
            return info.getTrapped();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static void putEncryption(Map<String, Object> out, PDDocument document, Parameters parameters)
            throws IOException {
        out.put("encrypted", document.isEncrypted());
        if (!document.isEncrypted()) {
            out.put("encryption", null);
            return;
        }
        PDEncryption encryption = document.getEncryption();
        Map<String, Object> enc = new LinkedHashMap<>();
        enc.put("filter", encryption.getFilter());
        enc.put("version", encryption.getVersion());
        enc.put("revision", encryption.getRevision());
        enc.put("keyLengthBits", encryption.getLength());
        // Opened without a password: the document has only an owner password, which restricts permissions only.
        enc.put("openedWithPassword", parameters.has(PdfDocuments.PASSWORD));
        AccessPermission declared = new AccessPermission(encryption.getPermissions());
        Map<String, Object> permissions = new LinkedHashMap<>();
        permissions.put("print", declared.canPrint());
        permissions.put("printFaithful", declared.canPrintFaithful());
        permissions.put("modify", declared.canModify());
        permissions.put("extractContent", declared.canExtractContent());
        permissions.put("extractForAccessibility", declared.canExtractForAccessibility());
        permissions.put("modifyAnnotations", declared.canModifyAnnotations());
        permissions.put("fillInForm", declared.canFillInForm());
        permissions.put("assembleDocument", declared.canAssembleDocument());
        enc.put("permissions", permissions);
        out.put("encryption", enc);
    }

    private static Map<String, Object> xmp(PDMetadata metadata, Invocation invocation) {
        if (metadata == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        byte[] bytes;
        try (InputStream in = metadata.exportXMPMetadata()) {
            bytes = in.readNBytes(MAX_XMP_BYTES + 1);
        } catch (IOException | RuntimeException e) {
            out.put("error", "XMP metadata stream cannot be read: " + e.getMessage());
            return out;
        }
        boolean truncated = bytes.length > MAX_XMP_BYTES;
        try {
            if (!truncated) {
                DomXmpParser parser = new DomXmpParser();
                parser.setStrictParsing(false);
                summariseXmp(parser.parse(bytes), out);
            }
        } catch (Exception e) {
            invocation.logger().info("{}: XMP metadata is not well-formed: {}", invocation.input().key(), e.getMessage());
            out.put("error", "XMP metadata is not well-formed: " + e.getMessage());
        }
        out.put("truncated", truncated);
        out.put("xml", truncated ? null : new String(bytes, StandardCharsets.UTF_8).trim());
        return out;
    }

    private static void summariseXmp(XMPMetadata xmp, Map<String, Object> out) throws Exception {
        DublinCoreSchema dc = xmp.getDublinCoreSchema();
        if (dc != null) {
            out.put("title", dc.getTitle());
            out.put("creators", dc.getCreators());
            out.put("description", dc.getDescription());
            out.put("subjects", dc.getSubjects());
            out.put("format", dc.getFormat());
        }
        XMPBasicSchema basic = xmp.getXMPBasicSchema();
        if (basic != null) {
            out.put("creatorTool", basic.getCreatorTool());
            out.put("createDate", iso(basic.getCreateDate()));
            out.put("modifyDate", iso(basic.getModifyDate()));
            out.put("metadataDate", iso(basic.getMetadataDate()));
        }
        AdobePDFSchema pdf = xmp.getAdobePDFSchema();
        if (pdf != null) {
            out.put("producer", pdf.getProducer());
            out.put("keywords", pdf.getKeywords());
        }
        PDFAIdentificationSchema pdfa = xmp.getPDFAIdentificationSchema();
        if (pdfa != null) {
            out.put("pdfaPart", pdfa.getPart());
            out.put("pdfaConformance", pdfa.getConformance());
        }
        XMPMediaManagementSchema mm = xmp.getXMPMediaManagementSchema();
        if (mm != null) {
            out.put("documentId", mm.getDocumentID());
            out.put("instanceId", mm.getInstanceID());
        }
        out.values().removeIf(v -> v == null || v instanceof List<?> list && list.isEmpty());
    }

    private static List<Map<String, Object>> embeddedFiles(PDDocumentCatalog catalog, Invocation invocation) {
        List<Map<String, Object>> files = new ArrayList<>();
        try {
            PDDocumentNameDictionary names = catalog.getNames();
            if (names != null && names.getEmbeddedFiles() != null) {
                collectEmbeddedFiles(names.getEmbeddedFiles(), files, 0);
            }
        } catch (IOException | RuntimeException e) {
            invocation.logger().info("{}: embedded files list is damaged: {}", invocation.input().key(), e.getMessage());
        }
        return files;
    }

    private static void collectEmbeddedFiles(PDNameTreeNode<PDComplexFileSpecification> node, List<Map<String, Object>> files,
                                             int depth) throws IOException {
        if (depth > 32) {
            return; // a cyclic or absurdly deep name tree
        }
        Map<String, PDComplexFileSpecification> entries = node.getNames();
        if (entries != null) {
            for (Map.Entry<String, PDComplexFileSpecification> entry : entries.entrySet()) {
                PDComplexFileSpecification spec = entry.getValue();
                Map<String, Object> file = new LinkedHashMap<>();
                file.put("name", spec.getFilename() != null ? spec.getFilename() : entry.getKey());
                file.put("description", spec.getFileDescription());
                PDEmbeddedFile embedded = spec.getEmbeddedFile();
                if (embedded != null) {
                    file.put("mimeType", embedded.getSubtype());
                    // /Size is optional; the stored (compressed) length is always known without decoding.
                    file.put("size", embedded.getSize() >= 0 ? embedded.getSize() : null);
                    file.put("storedSize", embedded.getCOSObject().getLength());
                    file.put("creationDate", iso(embedded.getCreationDate()));
                    file.put("modificationDate", iso(embedded.getModDate()));
                }
                files.add(file);
            }
        }
        if (node.getKids() != null) {
            for (PDNameTreeNode<PDComplexFileSpecification> kid : node.getKids()) {
                collectEmbeddedFiles(kid, files, depth + 1);
            }
        }
    }

    private static Map<String, Object> form(PDDocumentCatalog catalog, Invocation invocation) {
        Map<String, Object> form = new LinkedHashMap<>();
        try {
            PDAcroForm acroForm = catalog.getAcroForm(null); // no fix-ups: we only look
            int fields = 0;
            if (acroForm != null) {
                for (PDField ignored : acroForm.getFieldTree()) {
                    fields++;
                }
            }
            form.put("present", acroForm != null && (fields > 0 || acroForm.hasXFA()));
            form.put("acroForm", acroForm != null); // may be an empty shell with no fields
            form.put("fields", fields);
            form.put("xfa", acroForm != null && acroForm.hasXFA());
        } catch (RuntimeException e) {
            invocation.logger().info("{}: form is damaged: {}", invocation.input().key(), e.getMessage());
            form.put("present", true);
            form.put("error", e.getMessage());
        }
        return form;
    }

    private static boolean hasOutline(PDDocumentCatalog catalog) {
        try {
            PDDocumentOutline outline = catalog.getDocumentOutline();
            return outline != null && outline.getFirstChild() != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Annotation counts by subtype, e.g. {"Link": 9, "Widget": 3}. */
    private static Map<String, Integer> annotations(PDDocument document, Invocation invocation) {
        Map<String, Integer> counts = new TreeMap<>();
        int number = 0;
        for (PDPage page : document.getPages()) {
            if (++number % 100 == 0) {
                invocation.checkDeadline();
            }
            try {
                for (PDAnnotation annotation : page.getAnnotations()) {
                    String subtype = annotation.getSubtype();
                    counts.merge(subtype == null ? "Unknown" : subtype, 1, Integer::sum);
                }
            } catch (IOException | RuntimeException e) {
                invocation.logger().info("{}: annotations of page {} are damaged: {}", invocation.input().key(),
                        number, e.getMessage());
            }
        }
        return counts;
    }

    static String iso(Calendar calendar) {
        if (calendar == null) {
            return null;
        }
        return OffsetDateTime.ofInstant(calendar.toInstant(), calendar.getTimeZone().toZoneId())
                .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    private static double round(float value) {
        return Math.round(value * 100) / 100.0;
    }

    /** A PDF value as plain JSON-able Java: strings, numbers, booleans, lists, maps. */
    private static Object plain(COSBase value, int depth) {
        if (value instanceof COSObject object) {
            value = object.getObject();
        }
        if (value == null) {
            return null;
        }
        if (value instanceof COSString string) {
            return string.getString();
        }
        if (value instanceof COSName name) {
            return name.getName();
        }
        if (value instanceof COSNumber number) {
            return number.floatValue() == number.longValue() ? (Object) number.longValue() : number.floatValue();
        }
        if (value instanceof COSBoolean bool) {
            return bool.getValue();
        }
        if (depth >= MAX_VALUE_DEPTH) {
            return "...";
        }
        if (value instanceof COSArray array) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < array.size() && i < 100; i++) {
                list.add(plain(array.getObject(i), depth + 1));
            }
            return list;
        }
        if (value instanceof COSDictionary dictionary) {
            Map<String, Object> map = new TreeMap<>();
            for (COSName key : dictionary.keySet()) {
                if (map.size() >= 100) {
                    break;
                }
                map.put(key.getName(), plain(dictionary.getDictionaryObject(key), depth + 1));
            }
            return map;
        }
        return value.toString();
    }
}
