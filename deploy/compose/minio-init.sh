#!/bin/sh
# Wires MinIO to Sluice, once, from the minio/mc image (docker-compose.yml runs it as `minio-init`):
# the buckets of sluice.yaml, a MinIO user for Sluice, and MinIO's NATS JetStream notification target with an
# event rule on the upload bucket. Safe to run again: every step tolerates what the previous run made.
#
# Reads: MINIO_ROOT_USER, MINIO_ROOT_PASSWORD, SLUICE_ACCESS_KEY, SLUICE_SECRET_KEY, NATS_SUBJECT (the subject the
# workers consume: their SLUICE_NATS_SUBJECT). `sluice minio setup` prints the same commands for your own MinIO.
set -eu

mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"

# the buckets the pipelines read and write (dead-letter and state buckets: the workers create those)
mc mb --ignore-existing local/uploads local/thumbnails local/metadata local/text

# Sluice's own MinIO user, allowed to read and write objects (not to administer MinIO)
mc admin user add local "$SLUICE_ACCESS_KEY" "$SLUICE_SECRET_KEY"
mc admin policy attach local readwrite --user "$SLUICE_ACCESS_KEY" 2>/dev/null || true  # already attached on a re-run

# MinIO publishes bucket events into JetStream on the workers' subject; queue_dir keeps them on disk while NATS
# (or the stream, which the first worker creates) is not there yet, and sends them later
mc admin config set local notify_nats:sluice \
  address="nats:4222" subject="$NATS_SUBJECT" jetstream="on" queue_dir="/queue/nats" queue_limit="100000"
mc admin service restart local
until mc ready local >/dev/null 2>&1; do sleep 1; done

# every new object in `uploads` (PUT, multipart upload, copy) becomes an event on that subject
mc event add local/uploads arn:minio:sqs::sluice:nats --event put --ignore-existing
mc event ls local/uploads
echo "minio-init: MinIO publishes uploads/ events to NATS subject $NATS_SUBJECT"
