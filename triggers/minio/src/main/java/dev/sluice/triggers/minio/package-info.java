/** The MinIO listen-API trigger: {@code ListenBucketNotification} as an event source. */
package dev.sluice.triggers.minio;
