// One page of a bucket's listing (S3's ListObjectsV2): the objects and folders it names and where
// the next page starts, however it was read (list-pages.ts). readListPage reads the answer's XML
// when it is of the plain shape S3 writes, and gives null for anything else, which is then read
// through the AWS SDK: the SDK's own reading cost some 50 µs a key (its XML parser and its schema
// walk), 0.1 s of every 2,000 keys at the start of a sync, which nothing overlaps.

/** An object as a listing names it. */
export interface ListedObject {
  key: string;
  /** As S3 writes it, quotes and all. */
  etag: string;
  size: number;
  lastModified: Date | null;
}

export interface ListPage {
  objects: ListedObject[];
  /** The common prefixes, when the listing asked for a delimiter. */
  folders: string[];
  /** The token of the page after this one; null on the last page. */
  nextToken: string | null;
}

/**
 * The page an answer to ListObjectsV2 (its XML) holds, or null when it is not of the shape read
 * here: a ListBucketResult whose every Contents has its Key, ETag, Size and LastModified, whose
 * KeyCount (when given) counts them and its CommonPrefixes, with IsTruncated true and the next
 * token, or false. Text is XML's escapes and nothing else (no CDATA, no keys in an EncodingType).
 */
export function readListPage(xml: string): ListPage | null {
  if (!xml.includes("<ListBucketResult") || xml.includes("<![CDATA[") || xml.includes("<EncodingType>")) return null;
  const objects: ListedObject[] = [];
  for (let at = xml.indexOf("<Contents>"); at >= 0; at = xml.indexOf("<Contents>", at)) {
    const end = xml.indexOf("</Contents>", at);
    if (end < 0) return null;
    const contents = xml.slice(at, end);
    const key = elementText(contents, "Key");
    const etag = elementText(contents, "ETag");
    const size = elementText(contents, "Size");
    const lastModified = elementText(contents, "LastModified");
    if (key === null || key === "" || etag === null || size === null || !/^\d+$/.test(size) || lastModified === null) return null;
    const time = new Date(lastModified);
    if (Number.isNaN(time.getTime())) return null;
    objects.push({key, etag, size: Number(size), lastModified: time});
    at = end;
  }
  const folders: string[] = [];
  for (let at = xml.indexOf("<CommonPrefixes>"); at >= 0; at = xml.indexOf("<CommonPrefixes>", at)) {
    const end = xml.indexOf("</CommonPrefixes>", at);
    const prefix = end < 0 ? null : elementText(xml.slice(at, end), "Prefix");
    if (prefix === null) return null;
    folders.push(prefix);
    at = end;
  }
  const keyCount = elementText(xml, "KeyCount");
  if (keyCount !== null && Number(keyCount) !== objects.length + folders.length) return null;
  const truncated = elementText(xml, "IsTruncated");
  if (truncated === "false") return {objects, folders, nextToken: null};
  const nextToken = elementText(xml, "NextContinuationToken");
  return truncated === "true" && nextToken !== null && nextToken !== "" ? {objects, folders, nextToken} : null;
}

/**
 * The text of the first <name>…</name> in `xml`, its escapes read; null when there is none, or
 * when its text holds anything but characters and XML's escapes. Within a listing's elements text
 * cannot hold "<", so the first closing tag after the opening one is its own.
 */
function elementText(xml: string, name: string): string | null {
  const open = `<${name}>`;
  const start = xml.indexOf(open);
  if (start < 0) return null;
  const from = start + open.length;
  const end = xml.indexOf(`</${name}>`, from);
  if (end < 0) return null;
  const text = xml.slice(from, end);
  if (text.includes("<")) return null;
  return text.includes("&") ? unescapeXml(text) : text;
}

const NAMED_ESCAPES = new Map([["amp", "&"], ["lt", "<"], ["gt", ">"], ["quot", '"'], ["apos", "'"]]);

/** XML's five named escapes and its character references; null for any other "&…". */
function unescapeXml(text: string): string | null {
  let unknown = false;
  const result = text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[a-z]+);|&/g, (match, name: string | undefined) => {
    if (name === undefined) unknown = true;
    else if (name.startsWith("#")) {
      const code = name[1] === "x" ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) unknown = true;
      else return String.fromCodePoint(code);
    } else {
      const named = NAMED_ESCAPES.get(name);
      if (named !== undefined) return named;
      unknown = true;
    }
    return match;
  });
  return unknown ? null : result;
}
