#!/usr/bin/env bash
# PDF text benchmark: `sluice invoke pdf-text` against poppler's pdftotext, in one run, on the same PDFs.
#
#   bench/pdf/run.sh            (from the repository root; COPIES=N copies of each PDF, ROUNDS=N alternations)
#
# The PDFs are the corpus files that come with ground truth: Apache PDFBox's text-extraction test PDFs (their
# expected .pdf.txt) and py-pdf's minimal-document.pdf (its LaTeX source text). Each is copied COPIES times so
# that there is enough work to measure (a JVM pays for its start and its JIT warm-up once per batch, pdftotext
# pays for a process start per file: small batches favour pdftotext, large ones sluice). pdftotext runs one process per PDF, as many at once as there are cores
# (xargs -P, the usual way to use all cores); sluice runs one JVM that works on as many PDFs at once. Each tool's
# time is wall time for the whole batch, JVM start included. Prints pages per second, the word-level F1 of each
# tool against the ground truth (bench/pdf/f1.py), and, last, the throughput ratio.
#
# Note on F1: PDFBox's expected texts were made by PDFBox itself, which favours sluice (built on PDFBox).
# JVM options for ./sluice come from SLUICE_JAVA_OPTS, e.g. SLUICE_JAVA_OPTS="-XX:+UseParallelGC
# -XX:TieredStopAtLevel=1" (C1 only: less JIT work, which pays on a 2-core machine for batches under a minute).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
CORPORA="${SLUICE_CORPORA:-$ROOT/../shared/corpora}"
COPIES="${COPIES:-50}"
ROUNDS="${ROUNDS:-2}"
JOBS="$(nproc)"

if ! command -v pdftotext >/dev/null 2>&1; then
  echo "Installing Debian's poppler-utils ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null
fi

exec 3>&2                # the real stderr, for errors inside timed sections (whose stderr is the timing)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"

# name <TAB> ground truth, for every distinct PDF
pairs="$work/truth.tsv"
for pdf in "$CORPORA"/pdf-text/pdfbox/*.pdf; do
  [ -f "$pdf.txt" ] && printf '%s\t%s\n' "$(basename "$pdf" .pdf)" "$pdf.txt"
done >"$pairs"
printf '%s\t%s\n' minimal-document "$CORPORA/pdf-text/py-pdf/minimal-document.expected.txt" >>"$pairs"

pages=0
copies_tsv="$work/copies.tsv"
: >"$copies_tsv"
while IFS=$'\t' read -r name truth; do
  src="$(dirname "$truth")/$name.pdf"
  n="$(pdfinfo "$src" 2>/dev/null | awk '/^Pages:/ { print $2 }')"
  pages=$((pages + ${n:-1} * COPIES))
  for i in $(seq 1 "$COPIES"); do
    cp "$src" "$work/in/c$i-$name.pdf"
    printf 'c%s-%s\t%s\n' "$i" "$name" "$truth" >>"$copies_tsv"
  done
done <"$pairs"
mapfile -t files < <(ls "$work"/in/*.pdf)
count=${#files[@]}
distinct=$(wc -l <"$pairs")

# sluice: the launcher when it builds and has pdf-text, else the same LocalInvoker through Invoke.java
if ./sluice functions 2>/dev/null | grep -q '^pdf-text '; then
  sluice_cmd=(./sluice invoke pdf-text)
  sluice_via="./sluice invoke pdf-text"
else
  echo "(./sluice not usable here; running LocalInvoker through bench/pdf/Invoke.java)" >&2
  ./mvnw -q -B -o -pl functions/pdf -am install -DskipTests >&2 || ./mvnw -q -B -pl functions/pdf -am install -DskipTests >&2
  ./mvnw -q -B -o -pl functions/pdf dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >&2
  sluice_cmd=(java -XX:+UseParallelGC -cp "$ROOT/functions/pdf/target/classes:$(cat "$work/cp.txt")" bench/pdf/Invoke.java pdf-text)
  sluice_via="LocalInvoker (bench/pdf/Invoke.java)"
fi

run_sluice() {
  rm -rf "$work/out-sluice"; mkdir -p "$work/out-sluice"
  "${sluice_cmd[@]}" "${files[@]}" --out "$work/out-sluice" >"$work/sluice.log" 2>&1 \
    || { tail -20 "$work/sluice.log" >&3; exit 1; }
}
run_pdftotext() {
  rm -rf "$work/out-pdftotext"; mkdir -p "$work/out-pdftotext"
  printf '%s\n' "${files[@]}" | xargs -P "$JOBS" -I{} \
    sh -c 'pdftotext -enc UTF-8 "$1" "$2/$(basename "$1" .pdf).txt" 2>/dev/null || true' _ {} "$work/out-pdftotext"
}
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }

sluice_time=0
poppler_time=0
sluice_cpu=0
poppler_cpu=0
TIMEFORMAT='%R %U %S'   # bash's time: wall, user and system seconds, child processes included
for round in $(seq 1 "$ROUNDS"); do
  # alternate the order so that neither tool always runs on a cooler or warmer machine
  for tool in $([ $((round % 2)) -eq 1 ] && echo "pdftotext sluice" || echo "sluice pdftotext"); do
    # ./sluice rebuilds when sources changed since its last build; do that before the clock starts
    [ "$tool" = sluice ] && [ "${sluice_cmd[0]}" = ./sluice ] && ./sluice functions >/dev/null 2>&1
    if [ "$tool" = sluice ]; then { time run_sluice; } 2>"$work/time"; else { time run_pdftotext; } 2>"$work/time"; fi
    read -r took user sys <"$work/time"
    cpu=$(calc "$user + $sys")
    printf '  round %d %-9s %4d PDFs, %5d pages in %6.2f s (CPU %6.2f s)\n' "$round" "$tool" "$count" "$pages" \
      "$took" "$cpu"
    if [ "$tool" = sluice ]; then sluice_time=$(calc "$sluice_time + $took"); sluice_cpu=$(calc "$sluice_cpu + $cpu")
    else poppler_time=$(calc "$poppler_time + $took"); poppler_cpu=$(calc "$poppler_cpu + $cpu"); fi
  done
done

read -r sluice_f1 sluice_p sluice_r < <(python3 bench/pdf/f1.py "$copies_tsv" "$work/out-sluice")
read -r poppler_f1 poppler_p poppler_r < <(python3 bench/pdf/f1.py "$copies_tsv" "$work/out-pdftotext")
sluice_rate=$(calc "$pages * $ROUNDS / $sluice_time")
poppler_rate=$(calc "$pages * $ROUNDS / $poppler_time")

echo "PDFs: $count ($distinct distinct x $COPIES copies), pages: $pages, cores: $JOBS, rounds: $ROUNDS"
echo "pdftotext: $(pdftotext -v 2>&1 | head -1), one process per PDF, $JOBS at once (xargs -P$JOBS)"
echo "sluice:    $sluice_via, one JVM, $JOBS PDFs at once, JVM options: ${SLUICE_JAVA_OPTS:-launcher default}"
# CPU seconds per page: less disturbed than wall time when other work shares the machine
printf 'pdftotext: %7.1f pages/s, %5.2f ms CPU/page, word F1 %s (precision %s, recall %s)\n' "$poppler_rate" \
  "$(calc "1000 * $poppler_cpu / ($pages * $ROUNDS)")" "$poppler_f1" "$poppler_p" "$poppler_r"
printf 'sluice:    %7.1f pages/s, %5.2f ms CPU/page, word F1 %s (precision %s, recall %s)\n' "$sluice_rate" \
  "$(calc "1000 * $sluice_cpu / ($pages * $ROUNDS)")" "$sluice_f1" "$sluice_p" "$sluice_r"
printf 'ratio (sluice pages/s / pdftotext pages/s): %.2f\n' "$(calc "$sluice_rate / $poppler_rate")"
