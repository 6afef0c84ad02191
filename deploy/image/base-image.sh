#!/usr/bin/env bash
# Builds a container base image for Sluice from this machine alone, with no registry and no Docker engine:
# a JRE made with jlink from the local JDK 17, the system libraries that it and the natives bundled in Sluice's
# jars (FFmpeg, Tesseract, Leptonica, JNA) link against (found with ldd), a non-root user, CA certificates, the
# C.UTF-8 locale, bash (for the Compose healthcheck) and /tmp. The result is a `docker save` tarball that Jib
# takes as its base:
#
#   deploy/image/base-image.sh                       # -> deploy/image/target/sluice-base.tar
#   ./mvnw -pl cli jib:buildTar -Djib.from.image=tar://$PWD/deploy/image/target/sluice-base.tar
#
# `docker load -i` takes it too (as sluice-base:17). Use it where eclipse-temurin:17-jre cannot be pulled;
# anywhere else the default base is the better-maintained one.
#
# Needs: a JDK 17 with jmods (Debian: openjdk-17-jdk-headless), ldd, GNU tar, sha256sum, and cli/target/lib
# (any build of the cli module) to find the bundled natives. Usage: base-image.sh [OUTPUT.tar]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$HERE/target/sluice-base.tar}"
TAG="${SLUICE_BASE_TAG:-sluice-base:17}"
USER_ID=10001          # the image's user (cli/pom.xml: <user>10001:10001</user>)
LIB_DIR="$ROOT/cli/target/lib"

die() { echo "base-image: $*" >&2; exit 1; }

JAVA_BIN="$(readlink -f "$(command -v java)")"
JDK="${JDK_HOME:-$(dirname "$(dirname "$JAVA_BIN")")}"
[ -d "$JDK/jmods" ] || die "no jmods in $JDK: needs a full JDK 17 (Debian: apt-get install openjdk-17-jdk-headless), or set JDK_HOME"
FEATURE="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JDK/release")"
[ "${FEATURE:-0}" -ge 17 ] || die "$JDK is Java ${FEATURE:-?}; Sluice needs 17 or newer"
[ -d "$LIB_DIR" ] || die "$LIB_DIR is missing: build the cli module first (./mvnw -pl cli -am package -DskipTests)"

case "$(uname -m)" in
  x86_64)  ARCH=amd64; NATIVE_DIRS='linux-x86[-_]64' ;;
  aarch64) ARCH=arm64; NATIVE_DIRS='linux-(arm64|aarch64)' ;;
  *) die "unsupported machine $(uname -m)" ;;
esac

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sluice-base.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
FS="$WORK/rootfs"
mkdir -p "$FS"

# ---- file system skeleton, with the same merged-/usr links as this machine ----------------------------------
for d in bin sbin lib lib64; do
  if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$FS/$d"; fi
done
mkdir -p "$FS"/{etc,opt/java,proc,sys,dev,run,tmp,usr/bin,usr/lib,usr/sbin,var/tmp}
chmod 1777 "$FS/tmp" "$FS/var/tmp"

# Copies a file of this machine into the image at the same path, following (and recreating) symbolic links.
copy_in() {
  local path="$1" dir base real
  dir="$(realpath "$(dirname "$path")")"
  base="$(basename "$path")"
  real="$dir/$base"
  mkdir -p "$FS$dir"
  if [ -L "$real" ]; then
    local target
    target="$(readlink "$real")"
    [ -e "$FS$real" ] || [ -L "$FS$real" ] || ln -s "$target" "$FS$real"
    case "$target" in /*) copy_in "$target" ;; *) copy_in "$dir/$target" ;; esac
  elif [ ! -e "$FS$real" ]; then
    cp -p "$real" "$FS$real"
  fi
}

# ---- the JRE -------------------------------------------------------------------------------------------------
# java.se and the JDK modules that libraries look for at run time (Unsafe, EC crypto, zip file systems, DNS,
# extra charsets and locales); no compiler, no tools.
MODULES="java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.zipfs,jdk.management,jdk.charsets,jdk.localedata,jdk.net,jdk.naming.dns,jdk.httpserver"
JRE="$FS/opt/java/openjdk"
"$JDK/bin/jlink" --module-path "$JDK/jmods" --add-modules "$MODULES" --strip-debug --no-man-pages \
  --no-header-files --compress=2 --output "$JRE"
# Headless only: the X11, sound and splash-screen libraries would drag in a desktop's worth of system libraries.
rm -f "$JRE"/lib/libawt_xawt.so "$JRE"/lib/libjawt.so "$JRE"/lib/libsplashscreen.so "$JRE"/lib/libjsound.so
# jlink copies the CA store that the JDK links to (Debian: /etc/ssl/certs/java/cacerts); check it is a real one.
[ -s "$JRE/lib/security/cacerts" ] || die "the JRE has no CA certificates (lib/security/cacerts)"

# ---- the natives bundled in Sluice's jars (for this machine's platform) ---------------------------------------
NATIVES="$WORK/natives"
mkdir -p "$NATIVES"
for jar in "$LIB_DIR"/*.jar; do
  # (folders such as linux-x86_64, linux-x86-64 (JNA) or linux-x86_64-gpl (FFmpeg's GPL build))
  entries="$(unzip -Z1 "$jar" 2>/dev/null | grep -E "(^|/)$NATIVE_DIRS[^/]*/.*\.so(\.[0-9.]+)?$" || true)"
  [ -n "$entries" ] || continue
  # shellcheck disable=SC2086
  unzip -q -o -j "$jar" $entries -d "$NATIVES"
done
[ -n "$(ls -A "$NATIVES")" ] || die "found no bundled natives for $NATIVE_DIRS in $LIB_DIR"

# ---- the system libraries all of those link against (ldd, transitively) ----------------------------------------
# libavdevice (screen grabbing, sound cards) is the one bundled library Sluice never loads; its X11/ALSA/Pulse
# dependencies stay out.
ROOTS=("$JRE/bin/java" "$JRE/bin/keytool")
while IFS= read -r f; do ROOTS+=("$f"); done < <(find "$JRE/lib" -name '*.so' -type f)
while IFS= read -r f; do ROOTS+=("$f"); done < <(find "$NATIVES" -type f ! -name 'libavdevice*' ! -name 'libjniavdevice*')
ROOTS+=("$(command -v bash)")

SEARCH="$NATIVES:$JRE/lib:$JRE/lib/server"
missing=()
declare -A seen=()
for f in "${ROOTS[@]}"; do
  while IFS= read -r line; do
    name="$(awk '{print $1}' <<<"$line")"
    path=""
    case "$line" in
      *"=> not found"*)
        # bundled under a shorter name (libva.so for libva.so.2): JavaCPP links those when it loads them
        stem="${name%%.so*}.so"
        if [ "$name" != libjvm.so ] && [ ! -e "$NATIVES/$stem" ] && [ ! -e "$NATIVES/$name" ]; then
          missing+=("$name (needed by ${f##*/})")
        fi
        continue ;;
      *"=> /"*) path="$(awk '{print $3}' <<<"$line")" ;;
      [[:space:]]/*) path="$name" ;;
      *) continue ;;
    esac
    case "$path" in "$NATIVES"/*|"$JRE"/*) continue ;; esac
    [ -n "${seen[$path]:-}" ] && continue
    seen[$path]=1
    copy_in "$path"
  done < <(LD_LIBRARY_PATH="$SEARCH" ldd "$f" 2>/dev/null || true)
done
if [ ${#missing[@]} -gt 0 ]; then
  printf 'base-image: libraries not found on this machine:\n' >&2
  printf '  %s\n' "${missing[@]}" | sort -u >&2
  die "install them (apt-get install ...) and run again"
fi
# glibc loads libgcc_s itself (thread cancellation, unwinding), so ldd does not always list it
for lib in libgcc_s.so.1; do
  p="$(ldconfig -p | awk -v n="$lib" '$1 == n && /x86-64|AArch64|64bit/ {print $NF; exit}')"
  [ -n "$p" ] && copy_in "$p"
done
copy_in "$(command -v bash)"
ln -sf bash "$FS/usr/bin/sh"

# ---- users, name service, certificates, locale -------------------------------------------------------------
cat >"$FS/etc/passwd" <<EOF
root:x:0:0:root:/root:/usr/bin/bash
sluice:x:$USER_ID:$USER_ID:Sluice:/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$FS/etc/group" <<EOF
root:x:0:
sluice:x:$USER_ID:
nogroup:x:65534:
EOF
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$FS/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$FS/etc/hosts"
mkdir -p "$FS/root" && chmod 700 "$FS/root"
if [ -s /etc/ssl/certs/ca-certificates.crt ]; then   # for native code that speaks TLS
  mkdir -p "$FS/etc/ssl/certs"
  cp -L /etc/ssl/certs/ca-certificates.crt "$FS/etc/ssl/certs/ca-certificates.crt"
fi
if [ -d /usr/lib/locale/C.utf8 ]; then               # LANG=C.UTF-8: UTF-8 file names
  mkdir -p "$FS/usr/lib/locale"
  cp -a /usr/lib/locale/C.utf8 "$FS/usr/lib/locale/"
fi

# ---- sanity: the JRE starts inside the file system it will run in ---------------------------------------------
# (as root: a private mount namespace with its own /proc, which the dynamic loader reads to find $ORIGIN)
if [ "$(id -u)" = 0 ] && unshare --mount --pid --fork --mount-proc="$FS/proc" true 2>/dev/null; then
  unshare --mount --pid --fork --mount-proc="$FS/proc" chroot "$FS" /opt/java/openjdk/bin/java -Xshare:off \
    -version >/dev/null 2>"$WORK/java-version.txt" \
    || { cat "$WORK/java-version.txt" >&2; die "the JRE does not start in the image's file system"; }
else
  echo "base-image: not root (or no mount namespaces): skipping the check that the JRE starts in the image" >&2
fi
find "$FS/tmp" "$FS/var/tmp" -mindepth 1 -delete   # what the check's JVM left

# ---- docker save format: one layer, its config, manifest.json -----------------------------------------------
IMG="$WORK/image"
mkdir -p "$IMG"
# reproducible: sorted, owned by root, fixed times
(cd "$FS" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=gnu \
  -cf "$IMG/layer.tar" -- *)
DIFF_ID="$(sha256sum "$IMG/layer.tar" | cut -d' ' -f1)"
mkdir -p "$IMG/$DIFF_ID"
mv "$IMG/layer.tar" "$IMG/$DIFF_ID/layer.tar"
JAVA_VERSION="$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$JRE/release")"
cat >"$IMG/config.json" <<EOF
{"architecture":"$ARCH","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                  "JAVA_HOME=/opt/java/openjdk","JAVA_VERSION=$JAVA_VERSION","LANG=C.UTF-8"],
           "WorkingDir":"/",
           "Labels":{"org.opencontainers.image.description":"JRE $JAVA_VERSION (jlink) and the system libraries Sluice needs, built by deploy/image/base-image.sh"}},
 "rootfs":{"type":"layers","diff_ids":["sha256:$DIFF_ID"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"deploy/image/base-image.sh"}]}
EOF
CONFIG_ID="$(sha256sum "$IMG/config.json" | cut -d' ' -f1)"
mv "$IMG/config.json" "$IMG/$CONFIG_ID.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' "$CONFIG_ID" "$TAG" "$DIFF_ID" \
  >"$IMG/manifest.json"

mkdir -p "$(dirname "$OUT")"
(cd "$IMG" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$OUT.part" -- *)
mv "$OUT.part" "$OUT"
echo "base-image: $OUT ($TAG, $(du -h "$OUT" | cut -f1), JRE $JAVA_VERSION, $(find "$FS" -type f -name '*.so*' | wc -l) libraries)"
