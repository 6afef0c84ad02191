#!/usr/bin/env bash
# OCR benchmark: `sluice invoke ocr` against the Tesseract command line, in one run, on the same page images.
#
#   bench/ocr/run.sh            (from the repository root)
#   COPIES=N copies of each page image (4), ROUNDS=N alternating rounds (1), PAGES="..." page images,
#   SYSTEM=0 to skip measuring sluice on the system's libtesseract next to its default
#
# Both use the same language (eng) and, on Debian, the same libtesseract and model files. The command line runs
# one process per page, as many at once as there are cores (xargs -P, OMP_THREAD_LIMIT=1, the usual way to use
# all cores); sluice runs one JVM with a warm engine per core. Each tool's time is wall time for the whole batch,
# JVM start included. Prints the character error rate (CER) of both against the ground truth and, last, the
# throughput ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
CORPORA="${SLUICE_CORPORA:-$ROOT/../shared/corpora}"
TRUTH="$CORPORA/ocr/tesseract"
COPIES="${COPIES:-4}"
ROUNDS="${ROUNDS:-1}"
JOBS="$(nproc)"
# upright scans with ground truth: one small, two full UNLV pages (PAGES="phototest" for small pages only)
read -r -a PAGES <<<"${PAGES:-phototest 8087_054.3B 8071_093.3B}"

if ! command -v tesseract >/dev/null 2>&1; then
  echo "Installing Debian's tesseract-ocr ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq tesseract-ocr >/dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
for page in "${PAGES[@]}"; do
  for i in $(seq 1 "$COPIES"); do
    cp "$TRUTH/$page.tif" "$work/in/$page~$i.tif"   # Cer.java maps name~N back to name's ground truth
  done
done
mapfile -t files < <(ls "$work"/in/*.tif)
count=${#files[@]}

# sluice: the launcher when it builds and has the ocr function, else the same LocalInvoker through Invoke.java.
# `./sluice functions` builds the jar (and records the launcher's class-data archive) if needed, outside the
# timing; the timed runs use the launcher as users do, with SLUICE_NO_BUILD=1 so that a source file touched
# meanwhile cannot trigger a rebuild inside the timing.
if ./sluice functions 2>/dev/null | grep -qw ocr; then
  ./sluice invoke ocr "$TRUTH/phototest.tif" --out "$work/warm" -p lang=eng >/dev/null 2>&1 || true
  sluice_cmd=(env SLUICE_NO_BUILD=1 "$ROOT/sluice" invoke ocr)
  sluice_via="./sluice invoke ocr"
else
  echo "(./sluice not usable here; running LocalInvoker through bench/ocr/Invoke.java)" >&2
  ./mvnw -q -B -o -pl functions/ocr -am install -DskipTests >&2 || ./mvnw -q -B -pl functions/ocr -am install -DskipTests >&2
  ./mvnw -q -B -o -pl functions/ocr dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >&2
  sluice_cmd=(java -cp "$ROOT/functions/ocr/target/classes:$(cat "$work/cp.txt")" bench/ocr/Invoke.java)
  sluice_via="LocalInvoker (bench/ocr/Invoke.java)"
fi

# $1: output folder suffix, $2: sluice.ocr.native mode (auto: the system library unless the bundled one is newer)
run_sluice() {
  rm -rf "$work/out-$1"; mkdir -p "$work/out-$1"
  JAVA_TOOL_OPTIONS="-Dsluice.ocr.native=$2" "${sluice_cmd[@]}" "${files[@]}" --out "$work/out-$1" -p lang=eng \
    >"$work/$1.log" 2>&1 || { cat "$work/$1.log" >&2; exit 1; }
}
run_tesseract() {
  rm -rf "$work/out-tess"; mkdir -p "$work/out-tess"
  printf '%s\n' "${files[@]}" | OMP_THREAD_LIMIT=1 xargs -P "$JOBS" -I{} \
    sh -c 'tesseract "$1" "$2/$(basename "$1" .tif)" -l eng 2>/dev/null' _ {} "$work/out-tess"
}
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }

# sluice's default (auto) is the system libtesseract unless it is older than the bundled build (Maven Central,
# Tesseract 5.5), as Debian 12's 5.3.0 is; sluice on the system library (the command line's own) is measured too.
tools="tesseract sluice"
if [ "${SYSTEM:-1}" = 1 ] && ldconfig -p 2>/dev/null | grep -q 'libtesseract\.so'; then
  tools="tesseract sluice system"
fi
load="$(cut -d' ' -f1-3 /proc/loadavg)"
declare -A total cpu
for tool in $tools; do total[$tool]=0; cpu[$tool]=0; done
TIMEFORMAT='%R %U %S'   # bash's time: wall, then user and system CPU of everything the tool ran
for round in $(seq 1 "$ROUNDS"); do
  # alternate the order so that no tool always runs on a cooler or warmer machine
  order="$tools"
  [ $((round % 2)) -eq 0 ] && order="$(echo "$tools" | tr ' ' '\n' | tac | tr '\n' ' ')"
  for tool in $order; do
    { time case "$tool" in
        tesseract) run_tesseract ;;
        sluice) run_sluice sluice auto ;;
        system) run_sluice system system ;;
      esac; } 2>"$work/time"
    read -r took user sys <"$work/time"
    printf '  round %d %-9s %3d pages in %6.2f s wall, %6.2f s CPU\n' "$round" "$tool" "$count" "$took" \
      "$(calc "$user + $sys")"
    total[$tool]=$(calc "${total[$tool]} + $took")
    cpu[$tool]=$(calc "${cpu[$tool]} + $user + $sys")
  done
done

sluice_cer=$(java bench/ocr/Cer.java "$TRUTH" "$work/out-sluice" 2>/dev/null)
tess_cer=$(java bench/ocr/Cer.java "$TRUTH" "$work/out-tess" 2>/dev/null)
sluice_rate=$(calc "$count * $ROUNDS / ${total[sluice]}")
tess_rate=$(calc "$count * $ROUNDS / ${total[tesseract]}")

echo "pages: $count (${PAGES[*]}, $COPIES copies each), cores: $JOBS, rounds: $ROUNDS, lang: eng," \
  "load average before: $load"
echo "tesseract: $(tesseract --version 2>&1 | head -1), $JOBS processes at once (xargs -P$JOBS, OMP_THREAD_LIMIT=1)"
echo "sluice:    $sluice_via, $(grep -o 'libtesseract [^)]*)' "$work/sluice.log" | head -1 || true)"
cpu_per_page() { calc "${cpu[$1]} / ($count * $ROUNDS)"; }
printf 'tesseract CLI: %6.2f pages/s, %.2f CPU s/page, CER %s%%\n' "$tess_rate" "$(cpu_per_page tesseract)" "$tess_cer"
if [ -n "${total[system]:-}" ]; then
  system_cer=$(java bench/ocr/Cer.java "$TRUTH" "$work/out-system" 2>/dev/null)
  system_rate=$(calc "$count * $ROUNDS / ${total[system]}")
  printf 'sluice on the system %s (-Dsluice.ocr.native=system): %.2f pages/s, %.2f CPU s/page, CER %s%%, ratio %.2f\n' \
    "$(grep -o 'libtesseract [0-9.]*' "$work/system.log" | head -1)" "$system_rate" "$(cpu_per_page system)" \
    "$system_cer" "$(calc "$system_rate / $tess_rate")"
fi
printf 'sluice:        %6.2f pages/s, %.2f CPU s/page, CER %s%%\n' "$sluice_rate" "$(cpu_per_page sluice)" "$sluice_cer"
printf 'CPU ratio (tesseract CPU s/page / sluice CPU s/page): %.2f\n' \
  "$(calc "${cpu[tesseract]} / ${cpu[sluice]}")"
printf 'CER difference (sluice - tesseract): %+.2f points\n' "$(calc "$sluice_cer - $tess_cer")"
printf 'ratio (sluice pages/s / tesseract pages/s): %.2f\n' "$(calc "$sluice_rate / $tess_rate")"
