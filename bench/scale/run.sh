#!/usr/bin/env bash
# Scale-out benchmark: `sluice worker` processes behind NATS JetStream, on this machine.
#
#   bench/scale/run.sh          (from any folder; needs nats-server with JetStream on 127.0.0.1:4222)
#
# For a no-op function (test-copy of 1 KiB, 8 at a time: it only waits on the store) and for `thumbnail` (256 px from an 1800x1200 JPEG of the shared
# corpora), with one and with two workers: events per second for a burst of uploads (first upload to last
# output), and p50/p99 latency from upload to output at half that rate. Then the footprint (RSS, threads) of
# a worker that did some work and then had no events for BENCH_IDLE_SECONDS (default 60).
#
# The store is an embedded S3 server in the benchmark's own JVM standing in for MinIO: each upload is
# published to JetStream as MinIO's NATS target would. Workers are separate JVMs. Everything shares this
# machine's cores, so the two-worker figures show contention as much as scale-out.
#
# Settings (environment): BENCH_SCALE (multiplies event counts, default 1), BENCH_IDLE_SECONDS (default 60),
# BENCH_WORKER_JAVA_OPTS (worker JVM options, default -XX:+UseParallelGC), BENCH_NATS_URL.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CORPORA="${SLUICE_CORPORA:-$ROOT/../shared/corpora}"
NATS_URL="${BENCH_NATS_URL:-nats://127.0.0.1:4222}"
export BENCH_NATS_URL="$NATS_URL"
hostport="${NATS_URL#nats://}"

if ! (exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}") 2>/dev/null; then
  echo "bench/scale: no NATS server at $NATS_URL; start one with JetStream, e.g." >&2
  echo "  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log" >&2
  exit 2
fi

# The CLI with its runtime jars (target/lib) and its test classes (the test-copy function is the no-op).
(cd "$ROOT" && ./mvnw -q -B -o -DskipTests package -pl cli -am) >&2
CP="$ROOT/cli/target/classes:$ROOT/cli/target/test-classes:$ROOT/cli/target/lib/*"

WORK="$HERE/work"
rm -rf "$WORK"
mkdir -p "$WORK"
echo "# bench/scale on $(nproc) cores, $(java -version 2>&1 | head -1), NATS $NATS_URL, $(date -u +%Y-%m-%dT%H:%MZ)"
# Other load on the machine skews every figure: show it.
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$CP" -Xmx1g "$HERE/ScaleBench.java" "$WORK" "$CORPORA/exif-orientation/Landscape_1.jpg"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
