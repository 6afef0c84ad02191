#!/usr/bin/env bash
# Thumbnail throughput: `sluice invoke thumbnail` against vipsthumbnail (libvips), in one run, on the same set
# of large camera-size JPEGs, both using both cores and both including process start.
#
#   bench/thumbnail/run.sh          (from any folder)
#
# Settings (environment): BENCH_COUNT (images, default 24), BENCH_WIDTH (default 256), BENCH_RUNS (default 3,
# the median counts), BENCH_QUALITY (JPEG quality of the thumbnails, default 85). SLUICE_JAVA_OPTS is passed on
# by the launcher (its JVM options; printed with the results). SLUICE_CMD replaces the `./sluice` launcher
# (e.g. to time a build elsewhere). The input set is made once by prepare.sh and cached in bench/thumbnail/work/
# (git-ignored), as are the outputs of the last run. Run it on an otherwise idle machine: both tools are timed
# by the wall clock, and the CPU seconds are printed too.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="$HERE/work"
COUNT="${BENCH_COUNT:-24}"
WIDTH="${BENCH_WIDTH:-256}"
RUNS="${BENCH_RUNS:-3}"
QUALITY="${BENCH_QUALITY:-85}"
export BENCH_COUNT="$COUNT"

# ---- tools ------------------------------------------------------------------------------------------------
if ! command -v vipsthumbnail >/dev/null 2>&1; then
  echo "Installing libvips-tools (vipsthumbnail) with apt-get ..." >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -q libvips-tools >&2
fi

# ---- input: large JPEGs, made once --------------------------------------------------------------------------
"$HERE/prepare.sh"
INPUT="$WORK/input"
mapfile -t FILES < <(find "$INPUT" -maxdepth 1 -name 'photo-*.jpg' | sort | head -n "$COUNT")
if [ "${#FILES[@]}" -lt "$COUNT" ]; then
  echo "bench: expected $COUNT input images in $INPUT, found ${#FILES[@]}" >&2
  exit 1
fi
PIXELS=$(vipsheader -f width "${FILES[0]}")x$(vipsheader -f height "${FILES[0]}")
BYTES=$(du -cb "${FILES[@]}" | tail -1 | cut -f1)

# ---- sluice: build first (not timed) ----------------------------------------------------------------------
if [ -n "${SLUICE_CMD:-}" ]; then
  read -r -a SLUICE <<<"$SLUICE_CMD"
else
  SLUICE=("$ROOT/sluice")
fi
echo "Preparing ${SLUICE[*]} (builds the project if needed) ..." >&2
if ! "${SLUICE[@]}" functions >/dev/null; then
  echo "bench: '${SLUICE[*]} functions' failed; fix the build first" >&2
  exit 1
fi

# the files are read from the page cache by both tools
cat "${FILES[@]}" >/dev/null

VIPS_BATCH=$(( (COUNT + 1) / 2 ))
OUT="$WORK/out"

JAR="$ROOT/cli/target/sluice-cli.jar"
jar_stamp() { stat -c %Y "$JAR" 2>/dev/null || echo none; }

run_sluice() {
  rm -rf "$OUT/sluice" && mkdir -p "$OUT/sluice"
  local before
  before=$(jar_stamp)
  "${SLUICE[@]}" invoke thumbnail --param "width=$WIDTH" --param "quality=$QUALITY" --quiet "${FILES[@]}" \
    --out "$OUT/sluice" >/dev/null
  if [ "$(jar_stamp)" != "$before" ]; then
    # ./sluice rebuilds when sources changed under it: that run timed a build, not thumbnails
    echo "  warning: ./sluice rebuilt the project during this run (sources changed); its time includes the build" >&2
  fi
}

run_vips() {
  rm -rf "$OUT/vips" && mkdir -p "$OUT/vips"
  # two processes at once, each given half the files: the fastest way found to run vipsthumbnail on two
  # cores (one process per file spends more time starting up)
  printf '%s\0' "${FILES[@]}" | xargs -0 -P2 -n "$VIPS_BATCH" \
    vipsthumbnail --size "${WIDTH}x" -o "$OUT/vips/%s-$WIDTH.jpg[Q=$QUALITY,strip]"
}

# time_it NAME: runs run_NAME once, appends "wall cpu" to $WORK/times-NAME
time_it() {
  local name="$1" start end usage
  start=$(date +%s%N)
  usage=$( { TIMEFORMAT='%U %S'; time "run_$name" >/dev/null; } 2>&1 | tail -1)
  end=$(date +%s%N)
  awk -v s="$start" -v e="$end" -v u="$usage" \
    'BEGIN { split(u, t, " "); printf "%.3f %.3f\n", (e - s) / 1e9, t[1] + t[2] }' >>"$WORK/times-$name"
}

rm -f "$WORK/times-sluice" "$WORK/times-vips"
echo "Timing $COUNT images ($PIXELS JPEG, $(( BYTES / COUNT / 1024 )) KiB each) to width $WIDTH, $RUNS runs each ..." >&2
for run in $(seq 1 "$RUNS"); do
  # alternate so that both see the same machine load
  time_it sluice
  time_it vips
  echo "  run $run: sluice $(tail -1 "$WORK/times-sluice" | cut -d' ' -f1) s, vipsthumbnail $(tail -1 "$WORK/times-vips" | cut -d' ' -f1) s" >&2
done

# ---- check both made every thumbnail at the right width ---------------------------------------------------------
for tool in sluice vips; do
  made=$(find "$OUT/$tool" -name '*.jpg' | wc -l)
  if [ "$made" -ne "$COUNT" ]; then
    echo "bench: $tool wrote $made thumbnails, expected $COUNT" >&2
    exit 1
  fi
  for f in "$OUT/$tool"/*.jpg; do
    w=$(vipsheader -f width "$f")
    if [ "$w" -ne "$WIDTH" ]; then
      echo "bench: $f is $w pixels wide, expected $WIDTH" >&2
      exit 1
    fi
  done
done

median() { # column of the file
  cut -d' ' -f"$2" "$1" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
S_WALL=$(median "$WORK/times-sluice" 1)
S_CPU=$(median "$WORK/times-sluice" 2)
V_WALL=$(median "$WORK/times-vips" 1)
V_CPU=$(median "$WORK/times-vips" 2)

echo
echo "Thumbnails of $COUNT camera-size JPEGs ($PIXELS) at width $WIDTH, quality $QUALITY, 2 cores,"
echo "process start included; median of $RUNS runs ($(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg))."
echo "$("${SLUICE_JAVA:-java}" -version 2>&1 | head -1); $(vips --version 2>/dev/null); JVM options: ${SLUICE_JAVA_OPTS:-launcher default}"
echo
printf '%-36s %10s %10s %12s\n' "tool" "wall (s)" "images/s" "CPU (s)"
printf '%-36s %10s %10s %12s\n' "sluice invoke thumbnail (1 JVM)" "$S_WALL" \
  "$(awk -v n="$COUNT" -v t="$S_WALL" 'BEGIN { printf "%.1f", n / t }')" "$S_CPU"
printf '%-36s %10s %10s %12s\n' "vipsthumbnail (xargs -P2 -n$VIPS_BATCH)" "$V_WALL" \
  "$(awk -v n="$COUNT" -v t="$V_WALL" 'BEGIN { printf "%.1f", n / t }')" "$V_CPU"
echo
awk -v v="$V_WALL" -v s="$S_WALL" 'BEGIN { printf "ratio (vipsthumbnail time / sluice time): %.2f\n", v / s }'
