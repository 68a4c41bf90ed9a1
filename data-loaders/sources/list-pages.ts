// How the pages of a bucket's listing are read: through the AWS SDK, or by one signed GET a page
// planned from the SDK's client as an object's direct read is (direct-get.ts), its XML read by
// list-page.ts. The SDK's reading cost some 50 µs a key: at 1M events of the connector's objects
// (2,000 keys) 0.13 s of the sync's start, which nothing overlaps, against 0.04 s this way; at
// 10M, ten times that (docs/design-notes.md, "Ingest, tenth round"). A page that does not come
// back 200 with XML of the plain shape is asked again of the SDK, which retries, explains an
// error and reads any shape; after one such page the rest of the listing goes to the SDK too.
import {ListObjectsV2Command, type S3Client} from "@aws-sdk/client-s3";
import {DirectGetPlans} from "./direct-get.js";
import {readListPage, type ListPage} from "./list-page.js";
import {withS3Errors} from "./s3-sink.js";
import type {SignedGets} from "./signed-get.js";

/** A page of a ListObjectsV2 listing: what is asked of S3, names as its API has them. */
export interface ListRequest {
  bucket: string;
  prefix: string;
  startAfter?: string;
  continuationToken?: string;
  delimiter?: string;
}

/** Reads one page of a listing. */
export type ListPages = (request: ListRequest) => Promise<ListPage>;

/** Pages read through the SDK's client, its errors said as withS3Errors says them. */
export function listPagesBySdk(client: S3Client): ListPages {
  return async ({bucket, prefix, startAfter, continuationToken, delimiter}) => {
    const page = await withS3Errors(`listing s3://${bucket}/${prefix}`, client, () =>
      client.send(new ListObjectsV2Command({Bucket: bucket, Prefix: prefix, StartAfter: startAfter, ContinuationToken: continuationToken, Delimiter: delimiter})),
    );
    return {
      objects: (page.Contents ?? []).flatMap((object) => (object.Key ? [{key: object.Key, etag: object.ETag ?? "", size: object.Size ?? 0, lastModified: object.LastModified ?? null}] : [])),
      folders: (page.CommonPrefixes ?? []).flatMap((common) => (common.Prefix === undefined ? [] : [common.Prefix])),
      nextToken: page.IsTruncated ? (page.NextContinuationToken ?? null) : null,
    };
  };
}

/**
 * How a sync lists: directly (listPagesDirectly), unless it was handed its client (`handed`: a
 * caller watching or altering the client's requests), whose SDK then reads every page.
 */
export function listPagesOf(client: S3Client, handed: boolean, endpoint: string | null): ListPages {
  return handed ? listPagesBySdk(client) : listPagesDirectly(client, endpoint);
}

/** Pages read by a signed GET each, planned from `client` (`endpoint`: the source's custom endpoint, if any); the SDK's client reads what that cannot. */
export function listPagesDirectly(client: S3Client, endpoint: string | null): ListPages {
  const bySdk = listPagesBySdk(client);
  const plans = new DirectGetPlans(client, endpoint);
  // The signer loaded by the first page read so.
  let gets: Promise<SignedGets> | null = null;
  let direct = true;
  const readDirectly = async ({bucket, prefix, startAfter, continuationToken, delimiter}: ListRequest): Promise<ListPage | null> => {
    const query: Record<string, string> = {"list-type": "2", prefix};
    if (startAfter !== undefined) query["start-after"] = startAfter;
    if (continuationToken !== undefined) query["continuation-token"] = continuationToken;
    if (delimiter !== undefined) query.delimiter = delimiter;
    gets ??= import("./signed-get.js").then(({SignedGets}) => new SignedGets());
    const [plan, credentials, signed] = await Promise.all([plans.planBucket(bucket, query), plans.credentials(), gets]);
    if (plan === null) return null;
    signed.setCredentials(credentials);
    const xml = await signed.getText(plan);
    return xml === null ? null : readListPage(xml);
  };
  return async (request) => {
    const page = direct ? await readDirectly(request).catch(() => null) : null;
    if (page !== null) return page;
    direct = false;
    return bySdk(request);
  };
}
