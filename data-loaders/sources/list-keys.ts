// Every object under a prefix, page by page (S3 answers at most 1,000 keys a page), optionally
// starting after a key: S3 lists keys in order, so a time-ordered layout can be listed from
// where it last ended.
import type {ListedObject} from "./list-page.js";
import type {ListPages} from "./list-pages.js";

/** A listed object: key, ETag (to tell a rewrite) and size. */
export type ListedKey = Pick<ListedObject, "key" | "etag" | "size">;

export async function* listKeys(listPage: ListPages, where: {bucket: string; prefix: string; startAfter?: string}): AsyncGenerator<ListedKey> {
  let token: string | undefined;
  do {
    const page = await listPage({bucket: where.bucket, prefix: where.prefix, startAfter: token ? undefined : where.startAfter, continuationToken: token});
    for (const {key, etag, size} of page.objects) yield {key, etag, size};
    token = page.nextToken ?? undefined;
  } while (token);
}
