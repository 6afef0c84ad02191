#!/usr/bin/env bash
# Proves the container image works, on a machine with no Docker engine and no registry:
#   1. builds the modules and installs them (so `-pl cli` below sees this work tree, not an older install),
#   2. builds a base image from this machine (base-image.sh),
#   3. builds the image with `./mvnw -pl cli jib:buildTar` on that base,
#   4. unpacks the image's layers into a root file system and, as root, runs the image's own entrypoint and
#      environment in a chroot as the image's user (10001, no home, only /tmp writable):
#      --version, functions, invoke thumbnail (in process and --isolate)/ocr/media-probe on corpus files, config
#      check of deploy/compose,
#      no native jars of other platforms,
#      and, when NATS with JetStream answers on 127.0.0.1:4222, the default `worker` command end to end.
#
# Needs root (chroot, mount namespaces), a JDK 17, jq, and ../shared/corpora beside the repository.
# Environment: SLUICE_MVN_FLAGS (e.g. -o for offline), SLUICE_MVN_LOCK (a lock file for each Maven run),
# SLUICE_IMAGE_KEEP=1 keeps the work folder.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CORPORA="$(cd "$ROOT/.." && pwd)/shared/corpora"
MVN=("$ROOT/mvnw" -B -q -ntp ${SLUICE_MVN_FLAGS:-})
# SLUICE_MVN_LOCK=/path/to/lockfile: each Maven run waits for that lock (several builds sharing one work tree)
[ -z "${SLUICE_MVN_LOCK:-}" ] || MVN=(flock "$SLUICE_MVN_LOCK" "${MVN[@]}")
IMAGE_USER=10001:10001

fail() { echo "test-image: FAIL: $*" >&2; exit 1; }
step() { echo "test-image: $*"; }
[ "$(id -u)" = 0 ] || fail "run as root (chroot and mount namespaces)"
command -v jq >/dev/null || fail "needs jq (apt-get install jq)"
[ -d "$CORPORA" ] || fail "no corpora at $CORPORA"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sluice-image-test.XXXXXX")"
PIDS=()
STREAM=""
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$STREAM" ]; then nats_tool delete-stream "$STREAM" >/dev/null 2>&1 || true; fi   # made for this run only
  if [ "${SLUICE_IMAGE_KEEP:-0}" = 1 ]; then echo "test-image: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
start=$SECONDS

# ---- 1-3: build ---------------------------------------------------------------------------------------------
step "installing the modules (skipping tests)"
(cd "$ROOT" && "${MVN[@]}" -DskipTests -pl cli -am install)
step "building the base image"
"$HERE/base-image.sh" "$WORK/base.tar"
step "./mvnw -pl cli jib:buildTar"
t0=$SECONDS
(cd "$ROOT" && "${MVN[@]}" -pl cli jib:buildTar -Djib.from.image="tar://$WORK/base.tar" -Djib.disableUpdateChecks=true)
IMAGE_TAR="$ROOT/cli/target/jib-image.tar"
[ -s "$IMAGE_TAR" ] || fail "jib:buildTar wrote no $IMAGE_TAR"
step "jib:buildTar took $((SECONDS - t0)) s; image tarball $(du -h "$IMAGE_TAR" | cut -f1)"

# ---- 4: unpack ----------------------------------------------------------------------------------------------
mkdir -p "$WORK/image" "$WORK/rootfs"
tar -xf "$IMAGE_TAR" -C "$WORK/image"
MANIFEST="$WORK/image/manifest.json"
CONFIG="$WORK/image/$(jq -r '.[0].Config' "$MANIFEST")"
VERSION="$(sed -n '/<artifactId>sluice-parent<\/artifactId>/,/<version>/s/.*<version>\(.*\)<\/version>.*/\1/p' "$ROOT/pom.xml" | head -n 1)"
jq -e --arg v "sluice:$VERSION" '.[0].RepoTags | index($v) != null and index("sluice:latest") != null' "$MANIFEST" >/dev/null \
  || fail "image tags are $(jq -c '.[0].RepoTags' "$MANIFEST"), expected sluice:$VERSION and sluice:latest"
while IFS= read -r layer; do
  tar --warning=no-unknown-keyword -xzf "$WORK/image/$layer" -C "$WORK/rootfs" 2>/dev/null \
    || tar --warning=no-unknown-keyword -xf "$WORK/image/$layer" -C "$WORK/rootfs"
done < <(jq -r '.[0].Layers[]' "$MANIFEST")
FS="$WORK/rootfs"
# one platform's natives only (cli/pom.xml, image.foreign.natives): the others would be dead weight
FOREIGN="$(find "$FS/app/libs" -name '*-linux-arm64*.jar' -o -name '*-macosx-*.jar' -o -name '*-windows-*.jar')"
[ -z "$FOREIGN" ] || fail "the image carries native jars of other platforms: $(echo $FOREIGN)"
ls "$FS"/app/libs/javacpp-*-linux-x86_64.jar >/dev/null 2>&1 || fail "the image has no linux-x86_64 JavaCPP jar"
[ "$(jq -r '.config.User' "$CONFIG")" = "$IMAGE_USER" ] || fail "image user is $(jq -r '.config.User' "$CONFIG")"
mapfile -t ENTRYPOINT < <(jq -r '.config.Entrypoint[]' "$CONFIG")
mapfile -t IMAGE_ENV < <(jq -r '.config.Env[]' "$CONFIG")
mapfile -t DEFAULT_CMD < <(jq -r '.config.Cmd[]' "$CONFIG")
[ "${DEFAULT_CMD[0]}" = worker ] || fail "default command is ${DEFAULT_CMD[*]}, expected worker ..."

# What a container runtime would do: the image's environment only, its own /proc, the host's /dev, the
# image's user, extra bind mounts (--mount HOST:CONTAINER) and variables (--env NAME=VALUE) before the
# arguments. image_command sets IMAGE_CMD (so that `"${IMAGE_CMD[@]}" &` gives the runtime's pid in $!);
# the JVM is its only child, PID 1 of its own PID namespace, as in a container.
image_command() {
  local mounts=() envs=() entrypoint=("${ENTRYPOINT[@]}")
  while [ $# -gt 0 ]; do
    case "$1" in
      --mount) mounts+=("$2"); shift 2 ;;
      --env) envs+=("$2"); shift 2 ;;
      --entrypoint) entrypoint=("$2"); shift 2 ;;
      *) break ;;
    esac
  done
  local setup="mount --rbind /dev '$FS/dev'"
  for m in ${mounts[@]+"${mounts[@]}"}; do
    mkdir -p "$FS${m#*:}"
    setup+="; mount --bind '${m%%:*}' '$FS${m#*:}'"
  done
  IMAGE_CMD=(env -i "${IMAGE_ENV[@]}" HOME=/nonexistent HOSTNAME=sluice-test ${envs[@]+"${envs[@]}"}
    unshare --mount --pid --fork --kill-child --mount-proc="$FS/proc"
    bash -c "$setup; exec chroot --userspec=$IMAGE_USER '$FS' \"\$@\"" run-image "${entrypoint[@]}" "$@")
}
run_image() { image_command "$@"; "${IMAGE_CMD[@]}"; }

DATA="$WORK/data"
mkdir -p "$DATA/in" "$DATA/out"
chown -R "$IMAGE_USER" "$DATA"

# ---- checks -------------------------------------------------------------------------------------------------
step "sluice --version"
out="$(run_image --version)"
[ "$out" = "sluice $VERSION" ] || fail "--version printed '$out', expected 'sluice $VERSION'"

step "sluice functions"
out="$(run_image functions)"
for f in thumbnail image-metadata pdf-text pdf-render ocr media-probe transcode; do
  grep -qw -- "$f" <<<"$out" || fail "'functions' does not list $f:"$'\n'"$out"
done

step "sluice invoke thumbnail (EXIF-rotated JPEG, UTF-8 file name)"
cp "$CORPORA/exif-orientation/Landscape_6.jpg" "$DATA/in/strand-ä.jpg"   # stored 1200x1800, shown 1800x1200
run_image --mount "$DATA:/data" invoke thumbnail --param width=256 "/data/in/strand-ä.jpg" --out /data/out/thumbs
thumb="$DATA/out/thumbs/strand-ä-256.jpg"
[ -s "$thumb" ] || fail "no thumbnail: $(ls -R "$DATA/out")"
cat >"$WORK/ImageSize.java" <<'EOF'
public class ImageSize {
    public static void main(String[] args) throws Exception {
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new java.io.File(args[0]));
        System.out.println(image == null ? "unreadable" : image.getWidth() + "x" + image.getHeight());
    }
}
EOF
size="$(java -Djava.awt.headless=true "$WORK/ImageSize.java" "$thumb")"
[ "$size" = 256x171 ] || fail "thumbnail is $size, expected 256x171 (1800x1200 after EXIF rotation, 256 wide)"

step "sluice invoke thumbnail --isolate (a child JVM from the image's java and class path)"
run_image --mount "$DATA:/data" invoke thumbnail --isolate=256m --param width=128 "/data/in/strand-ä.jpg" \
  --out /data/out/isolated
size="$(java -Djava.awt.headless=true "$WORK/ImageSize.java" "$DATA/out/isolated/strand-ä-128.jpg")"
[ "$size" = 128x85 ] || fail "isolated thumbnail is $size, expected 128x85"

step "sluice invoke ocr (bundled Tesseract, no system library in the image)"
[ -z "$(find "$FS" -name 'libtesseract.so*' -print -quit)" ] || fail "the image has a system libtesseract; this check wants the bundled one"
cp "$CORPORA/ocr/tesseract/phototest.tif" "$DATA/in/"
run_image --mount "$DATA:/data" invoke ocr /data/in/phototest.tif --out /data/out/ocr
grep -q "quick brown dog jumped over the" "$DATA/out/ocr/phototest.txt" \
  || fail "OCR text is not the page's:"$'\n'"$(head -5 "$DATA/out/ocr/phototest.txt" 2>/dev/null)"

step "sluice invoke media-probe (bundled FFmpeg)"
cp "$CORPORA/media/androidx/sample.mp4" "$DATA/in/"
run_image --mount "$DATA:/data" invoke media-probe /data/in/sample.mp4 --out /data/out/probe
jq -e '.streams | map(.codec) | index("h264") != null' "$DATA/out/probe/sample-probe.json" >/dev/null \
  || fail "media-probe found no h264 stream: $(head -c 300 "$DATA/out/probe/sample-probe.json")"

step "sluice config check on deploy/compose/sluice.yaml (mounted like Compose mounts it)"
run_image --mount "$ROOT/deploy/compose:/etc/sluice" --env SLUICE_ACCESS_KEY=sluice --env SLUICE_SECRET_KEY=secret \
  config check --config /etc/sluice/sluice.yaml >"$WORK/config-check.txt" \
  || fail "config check failed: $(cat "$WORK/config-check.txt")"

# ---- the default command, end to end: S3 upload event on NATS -> worker in the image -> thumbnail in S3 ----
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p; for p in $(seq "$1" $(($1 + 200))); do port_open "$p" || { echo "$p"; return; }; done; }
if port_open 4222; then
  step "worker (the image's default command) against NATS on 127.0.0.1:4222 and an S3 server"
  S3_PORT="$(free_port 19300)"
  OPS_PORT="$(free_port 19500)"
  RUN_ID="imagetest$$"
  # the S3 server: Sluice's embedded one, run from the build (the image's worker only sees its endpoint)
  cat >"$WORK/s3.yaml" <<EOF
embedded: { host: 127.0.0.1, port: $S3_PORT, dataDir: $WORK/s3-data, buckets: [uploads, thumbnails] }
pipelines: []
EOF
  SLUICE_ACCESS_KEY=imagetest SLUICE_SECRET_KEY=imagetest-secret \
    java -jar "$ROOT/cli/target/sluice-cli.jar" serve --config "$WORK/s3.yaml" >"$WORK/s3.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 60); do port_open "$S3_PORT" && break; sleep 1; done
  port_open "$S3_PORT" || fail "the S3 server did not start: $(tail -5 "$WORK/s3.log")"
  mkdir -p "$WORK/s3-data/uploads/trip"
  cp "$CORPORA/exif-orientation/Landscape_6.jpg" "$WORK/s3-data/uploads/trip/beach.jpg"
  mkdir -p "$WORK/etc-sluice"
  cat >"$WORK/etc-sluice/sluice.yaml" <<EOF
store: { endpoint: "http://127.0.0.1:$S3_PORT", accessKey: "\${SLUICE_ACCESS_KEY}", secretKey: "\${SLUICE_SECRET_KEY}" }
pipelines:
  - name: thumbnails
    match: { bucket: uploads, suffix: [.jpg] }
    steps:
      - function: thumbnail
        params: { width: "128" }
        output: s3://thumbnails/{dir}/{name}-{width}.{ext}
EOF
  # NATS from this side: publish what MinIO publishes for an upload (an S3 notification), delete the stream
  cat >"$WORK/Nats.java" <<'EOF'
public class Nats {
    public static void main(String[] args) throws Exception {
        try (io.nats.client.Connection nats = io.nats.client.Nats.connect(args[0])) {
            if (args[1].equals("delete-stream")) {
                nats.jetStreamManagement().deleteStream(args[2]);
                return;
            }
            String body = "{\"EventName\":\"s3:ObjectCreated:Put\",\"Key\":\"uploads/trip/beach.jpg\",\"Records\":[{"
                    + "\"eventVersion\":\"2.0\",\"eventSource\":\"minio:s3\",\"eventName\":\"s3:ObjectCreated:Put\","
                    + "\"s3\":{\"bucket\":{\"name\":\"uploads\"},\"object\":{\"key\":\"trip%2Fbeach.jpg\",\"size\":"
                    + args[3] + ",\"contentType\":\"image/jpeg\"}}}]}";
            nats.jetStream().publish(args[2], body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
EOF
  nats_tool() { java -cp "$ROOT/cli/target/lib/*" "$WORK/Nats.java" nats://127.0.0.1:4222 "$@"; }
  # docker-compose.yml's healthcheck for the workers, run inside the image (on this test's metrics port)
  cat >"$WORK/Healthcheck.java" <<'EOF'
public class Healthcheck {
    public static void main(String[] args) throws Exception {
        var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        var test = yaml.readTree(new java.io.File(args[0])).path("services").path("sluice-worker").path("healthcheck").path("test");
        if (!test.path(0).asText().equals("CMD") || !test.path(1).asText().equals("bash") || !test.path(2).asText().equals("-c")) {
            throw new IllegalStateException("expected [CMD, bash, -c, ...], found " + test);
        }
        System.out.print(test.path(3).asText().replace("$$", "$")); // Compose's escape for a literal $
    }
}
EOF
  HEALTHCHECK="$(java -cp "$ROOT/cli/target/lib/*" "$WORK/Healthcheck.java" "$ROOT/deploy/compose/docker-compose.yml")"
  HEALTHCHECK="${HEALTHCHECK//\/127.0.0.1\/9464/\/127.0.0.1\/$OPS_PORT}"
  [[ "$HEALTHCHECK" == *"/127.0.0.1/$OPS_PORT"* ]] || fail "the Compose healthcheck does not probe port 9464: $HEALTHCHECK"
  if run_image --entrypoint bash -c "$HEALTHCHECK" 2>/dev/null; then fail "the healthcheck passes with no worker running"; fi

  image_command --mount "$WORK/etc-sluice:/etc/sluice" \
    --env SLUICE_ACCESS_KEY=imagetest --env SLUICE_SECRET_KEY=imagetest-secret \
    --env SLUICE_BROKER_URL=nats://127.0.0.1:4222 --env SLUICE_NATS_STREAM="SLUICE_$RUN_ID" \
    --env SLUICE_NATS_SUBJECT="sluice.$RUN_ID" --env SLUICE_NATS_CONSUMER="workers-$RUN_ID" \
    --env SLUICE_METRICS_PORT="$OPS_PORT" --env SLUICE_SHUTDOWN_GRACE=5s \
    "${DEFAULT_CMD[@]}"
  "${IMAGE_CMD[@]}" >"$WORK/worker.log" 2>&1 &
  WORKER=$!
  PIDS+=("$WORKER")
  STREAM="SLUICE_$RUN_ID"   # the worker creates it; cleanup deletes it
  ready=""
  for _ in $(seq 1 90); do
    if port_open "$OPS_PORT"; then
      exec 3<>"/dev/tcp/127.0.0.1/$OPS_PORT"; printf 'GET /readyz HTTP/1.0\r\n\r\n' >&3; read -r status <&3; exec 3>&-
      case "$status" in *" 200"*) ready=1; break ;; esac
    fi
    kill -0 "$WORKER" 2>/dev/null || break
    sleep 1
  done
  [ -n "$ready" ] || fail "the worker never became ready:"$'\n'"$(tail -20 "$WORK/worker.log")"
  run_image --entrypoint bash -c "$HEALTHCHECK" || fail "the Compose healthcheck fails on a ready worker: $HEALTHCHECK"
  # the upload's event, as MinIO publishes it
  nats_tool publish "sluice.$RUN_ID" "$(stat -c %s "$WORK/s3-data/uploads/trip/beach.jpg")"
  for _ in $(seq 1 60); do [ -s "$WORK/s3-data/thumbnails/trip/beach-128.jpg" ] && break; sleep 1; done
  [ -s "$WORK/s3-data/thumbnails/trip/beach-128.jpg" ] \
    || fail "the worker wrote no thumbnail:"$'\n'"$(tail -20 "$WORK/worker.log")"
  size="$(java -Djava.awt.headless=true "$WORK/ImageSize.java" "$WORK/s3-data/thumbnails/trip/beach-128.jpg")"
  [ "$size" = 128x85 ] || fail "the worker's thumbnail is $size, expected 128x85"
  # SIGTERM (what Docker and Kubernetes send) to the JVM, PID 1 of the container, stops it cleanly
  JVM="$(pgrep -P "$WORKER" | head -n 1)"
  [ -n "$JVM" ] || fail "cannot find the worker's JVM (child of $WORKER)"
  kill -TERM "$JVM"
  for _ in $(seq 1 30); do kill -0 "$WORKER" 2>/dev/null || break; sleep 1; done
  if kill -0 "$WORKER" 2>/dev/null; then fail "the worker did not stop within 30 s of SIGTERM"; fi
  code=0; wait "$WORKER" || code=$?
  case "$code" in 0|143) ;; *) fail "the worker exited with $code on SIGTERM:"$'\n'"$(tail -20 "$WORK/worker.log")" ;; esac
  grep -q "Worker ready" "$WORK/worker.log" || fail "the worker's log lacks its start line"
else
  step "no NATS on 127.0.0.1:4222: skipping the worker check"
fi

step "PASS in $((SECONDS - start)) s (image $(du -h "$IMAGE_TAR" | cut -f1))"
