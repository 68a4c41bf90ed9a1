// The S3 client for the configured bucket. Credentials come from the SDK's default chain
// (environment, profile, instance role) and are never part of our configuration.
import {S3Client} from "@aws-sdk/client-s3";
import type {SourceConfig} from "../config.js";

/** Only where and how to connect matters here; the rest of a SourceConfig may come along. */
export function createS3Client(source: Pick<SourceConfig, "region" | "endpoint" | "forcePathStyle"> & Partial<SourceConfig>): S3Client {
  return new S3Client({
    region: source.region,
    ...(source.endpoint ? {endpoint: source.endpoint} : {}),
    forcePathStyle: source.forcePathStyle,
    // S3-compatible stores (and older MinIO, Ceph) reject the newer default checksum headers.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // 500, 503 and throttling are retried with backoff by the standard strategy.
    maxAttempts: 5,
  });
}
