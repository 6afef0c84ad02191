import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Character error rate of OCR outputs against ground truth: Levenshtein distance over the ground truth's length,
 * after whitespace (form feeds included) is collapsed to single spaces. Usage:
 * {@code java Cer.java TRUTH_DIR OUTPUT_DIR} — every OUTPUT_DIR/NAME.txt is compared with TRUTH_DIR/BASE.gold.txt or BASE.txt,
 * where BASE is NAME up to the first "~" (so copies page~1, page~2 share one truth). Prints the pooled CER in
 * percent (total edits / total truth characters) and the per-file figures to stderr.
 */
public class Cer {
    public static void main(String[] args) throws Exception {
        Path truthDir = Path.of(args[0]);
        Path outDir = Path.of(args[1]);
        long edits = 0;
        long chars = 0;
        try (var files = Files.list(outDir)) {
            for (Path out : files.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
                String name = out.getFileName().toString().replaceFirst("\\.txt$", "");
                String base = name.contains("~") ? name.substring(0, name.indexOf('~')) : name;
                Path truthFile = truthDir.resolve(base + ".gold.txt");
                if (!Files.exists(truthFile)) {
                    truthFile = truthDir.resolve(base + ".txt");
                }
                String truth = normalize(Files.readString(truthFile, StandardCharsets.UTF_8));
                String text = normalize(Files.readString(out, StandardCharsets.UTF_8));
                int d = distance(truth, text);
                edits += d;
                chars += truth.length();
                System.err.printf(Locale.ROOT, "  %-40s CER %6.2f%%%n", out.getFileName(), 100.0 * d / truth.length());
            }
        }
        System.out.printf(Locale.ROOT, "%.2f%n", chars == 0 ? 100.0 : 100.0 * edits / chars);
    }

    static String normalize(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            char ca = a.charAt(i - 1);
            for (int j = 1; j <= b.length(); j++) {
                int cost = ca == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
