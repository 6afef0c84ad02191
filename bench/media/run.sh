#!/usr/bin/env bash
# Benchmark: `sluice invoke transcode` against Debian's ffmpeg command line on the same clips with the same codec
# settings, in one run. Prints wall and CPU times and, last, the wall-time ratio (target: <= 1.05). Also compares
# a four-rendition transcode (one decode in Sluice) with running the CLI once per rendition.
#
# Usage, from the repository root: bench/media/run.sh
#   RUNS=2 (each measurement is the best of RUNS, Sluice and the CLI interleaved), PRESET=veryfast, CRF=23,
#   CLIP_SECONDS=10. Wall times include the JVM start; CPU is user + system time of all processes.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-2}
PRESET=${PRESET:-veryfast}
CRF=${CRF:-23}
LENGTH=${CLIP_SECONDS:-10}
WORK=${WORK:-$(pwd)/bench/media/work}

if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "Installing Debian's ffmpeg ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq ffmpeg >/dev/null
fi
mkdir -p "$WORK/clips"
rm -rf "$WORK/out"
mkdir -p "$WORK/out"

# Clips: FFmpeg's test picture with moving film grain (so that they cost about what camera footage costs) and a
# stereo tone, as H.264/AAC MP4s at 30 fps.
make_clip() { # name size
  local file="$WORK/clips/$1.mp4"
  [ -f "$file" ] && return
  echo "Generating $1 ($2, ${LENGTH} s) ..." >&2
  ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=$2:rate=30:duration=$LENGTH,noise=alls=8:allf=t+u" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$LENGTH" \
    -ac 2 -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -c:a aac -b:a 192k -shortest "$file"
}
make_clip clip-720p-${LENGTH}s 1280x720
make_clip clip-1080p-a-${LENGTH}s 1920x1080
make_clip clip-1080p-b-${LENGTH}s 1920x1080
CLIPS=("$WORK/clips/clip-720p-${LENGTH}s.mp4" "$WORK/clips/clip-1080p-a-${LENGTH}s.mp4"
  "$WORK/clips/clip-1080p-b-${LENGTH}s.mp4")

# measure VAR command...: runs the command, keeps the best (lowest wall time) "wall cpu" pair in VAR.
measure() {
  local var=$1; shift
  local times
  times=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1; } 2>&1 | tail -1)
  local wall cpu
  wall=$(echo "$times" | awk '{ print $1 }')
  cpu=$(echo "$times" | awk '{ printf "%.2f", $2 + $3 }')
  local best=${!var:-}
  if [ -z "$best" ] || awk -v a="$wall" -v b="${best% *}" 'BEGIN { exit !(a < b) }'; then
    printf -v "$var" '%s %s' "$wall" "$cpu"
  fi
  printf '  %-34s %8.2f s wall %8.2f s CPU\n' "$var" "$wall" "$cpu" >&2
}
wall() { echo "${1% *}"; }
cpu() { echo "${1#* }"; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# The same settings on both sides: libx264 preset and CRF, a key frame every 2 s (60 frames), bicubic scaling to
# square pixels in yuv420p, AAC 128 kbit/s stereo at 48 kHz, +faststart.
SLUICE_PARAMS=(-p preset="$PRESET" -p crf="$CRF" -p keyframe-interval=2 -p audio-bitrate=128 -p max-fps=60)
VF() { echo "scale=$1:$2:flags=bicubic,setsar=1,format=yuv420p"; }
X264=(-c:v libx264 -preset "$PRESET" -crf "$CRF" -g 60)
AAC=(-c:a aac -b:a 128k -ar 48000 -ac 2)
ffmpeg_rendition() { # input output width height
  ffmpeg -hide_banner -loglevel error -y -i "$1" -vf "$(VF "$3" "$4")" "${X264[@]}" "${AAC[@]}" -movflags +faststart "$2"
}
size_of() { ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=s=x:p=0 "$1"; }

sluice_single() { # renditions=2160 is above every clip: each is kept at its own size
  rm -rf "$WORK/out/sluice"
  ./sluice invoke transcode -q -j 1 -o "$WORK/out/sluice" -p renditions=2160 "${SLUICE_PARAMS[@]}" "${CLIPS[@]}"
}
cli_single() {
  rm -rf "$WORK/out/cli" && mkdir -p "$WORK/out/cli"
  for clip in "${CLIPS[@]}"; do
    local wh; wh=$(size_of "$clip")
    ffmpeg_rendition "$clip" "$WORK/out/cli/$(basename "$clip")" "${wh%x*}" "${wh#*x}"
  done
}
MULTI_CLIP="${CLIPS[1]}"
LADDER=(1920x1080 1280x720 854x480 640x360)
sluice_multi() {
  rm -rf "$WORK/out/multi-sluice"
  ./sluice invoke transcode -q -o "$WORK/out/multi-sluice" -p renditions=1080,720,480,360 "${SLUICE_PARAMS[@]}" "$MULTI_CLIP"
}
cli_per_rendition() {
  rm -rf "$WORK/out/multi-cli" && mkdir -p "$WORK/out/multi-cli"
  for r in "${LADDER[@]}"; do ffmpeg_rendition "$MULTI_CLIP" "$WORK/out/multi-cli/$r.mp4" "${r%x*}" "${r#*x}"; done
}
cli_split() {
  rm -rf "$WORK/out/multi-split" && mkdir -p "$WORK/out/multi-split"
  local graph="[0:v]split=4[s0][s1][s2][s3]" outputs=() i=0
  for r in "${LADDER[@]}"; do
    graph="$graph;[s$i]$(VF "${r%x*}" "${r#*x}")[v$i]"
    outputs+=(-map "[v$i]" -map 0:a "${X264[@]}" "${AAC[@]}" -movflags +faststart "$WORK/out/multi-split/$r.mp4")
    i=$((i + 1))
  done
  ffmpeg -hide_banner -loglevel error -y -i "$MULTI_CLIP" -filter_complex "$graph" "${outputs[@]}"
}

echo "Warming up (build Sluice if needed, unpack its native libraries) ..." >&2
./sluice invoke transcode -q -o "$WORK/out/warmup" -p renditions=120 -p preset=ultrafast "${CLIPS[0]}" >/dev/null
export SLUICE_NO_BUILD=1 # others editing sources must not trigger a rebuild inside a timed run

sluice_1=""; cli_1=""; sluice_4=""; cli_4=""; split_4=""
for run in $(seq 1 "$RUNS"); do
  echo "run $run of $RUNS:" >&2
  measure sluice_1 sluice_single
  measure cli_1 cli_single
  measure sluice_4 sluice_multi
  measure cli_4 cli_per_rendition
  measure split_4 cli_split
done
sluice_bytes=$(cat "$WORK"/out/sluice/*.mp4 | wc -c)
cli_bytes=$(cat "$WORK"/out/cli/*.mp4 | wc -c)
bundled=$(basename "$(ls cli/target/lib/ffmpeg-*.jar | head -1)" .jar | sed -E 's/^ffmpeg-([0-9.]+)-([0-9.]+).*/\1 (bytedeco \2)/')

echo
echo "Clips: 720p, 1080p, 1080p, ${LENGTH} s each at 30 fps. libx264 preset=$PRESET crf=$CRF g=60, AAC 128k, +faststart."
echo "FFmpeg: Sluice $bundled; CLI $(ffmpeg -version | head -1 | awk '{ print $3 }') (Debian). Best of $RUNS; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "One rendition per clip (sluice invoke -j 1 on the three clips; ffmpeg once per clip):"
printf '  sluice invoke transcode: %8.2f s wall %8.2f s CPU  %10d bytes out\n' "$(wall "$sluice_1")" "$(cpu "$sluice_1")" "$sluice_bytes"
printf '  ffmpeg CLI:              %8.2f s wall %8.2f s CPU  %10d bytes out\n' "$(wall "$cli_1")" "$(cpu "$cli_1")" "$cli_bytes"
echo
echo "Four renditions (1080p, 720p, 480p, 360p) of one 1080p clip:"
printf '  sluice, one decode:              %8.2f s wall %8.2f s CPU\n' "$(wall "$sluice_4")" "$(cpu "$sluice_4")"
printf '  ffmpeg CLI, once per rendition:  %8.2f s wall %8.2f s CPU  (sluice / CLI: %s wall, %s CPU)\n' \
  "$(wall "$cli_4")" "$(cpu "$cli_4")" "$(div "$(wall "$sluice_4")" "$(wall "$cli_4")")" "$(div "$(cpu "$sluice_4")" "$(cpu "$cli_4")")"
printf '  ffmpeg CLI, one command + split: %8.2f s wall %8.2f s CPU  (sluice / CLI: %s wall, %s CPU)\n' \
  "$(wall "$split_4")" "$(cpu "$split_4")" "$(div "$(wall "$sluice_4")" "$(wall "$split_4")")" "$(div "$(cpu "$sluice_4")" "$(cpu "$split_4")")"
echo
echo "CPU ratio (sluice CPU / ffmpeg CPU), one rendition per clip: $(div "$(cpu "$sluice_1")" "$(cpu "$cli_1")")"
echo "ratio (sluice time / ffmpeg time): $(div "$(wall "$sluice_1")" "$(wall "$cli_1")")"
