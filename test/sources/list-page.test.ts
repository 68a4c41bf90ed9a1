// A listing's page read from S3's XML (ListObjectsV2), and what is left to the SDK: anything not
// of the plain shape gives null.
import assert from "node:assert/strict";
import {test} from "node:test";
import {readListPage} from "../../data-loaders/sources/list-page.js";

/** An answer as S3 writes one (the shape of the ListObjectsV2 reference's example). */
function answer({contents = [] as string[], prefixes = [] as string[], truncated = false, token = "", keyCount = contents.length + prefixes.length as number | null} = {}) {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    "<Name>bucket</Name><Prefix>topics/</Prefix>",
    keyCount === null ? "" : `<KeyCount>${keyCount}</KeyCount>`,
    "<MaxKeys>1000</MaxKeys>",
    `<IsTruncated>${truncated}</IsTruncated>`,
    ...contents,
    ...prefixes.map((prefix) => `<CommonPrefixes><Prefix>${prefix}</Prefix></CommonPrefixes>`),
    token === "" ? "" : `<NextContinuationToken>${token}</NextContinuationToken>`,
    "</ListBucketResult>",
  ].join("\n");
}

const contents = (key: string, etag = "&quot;599bab3ed2c697f1d26842727561fd94&quot;", size = "142863", time = "2025-01-30T10:02:03.000Z") =>
  `<Contents><Key>${key}</Key><LastModified>${time}</LastModified><ETag>${etag}</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>${size}</Size><Owner><ID>abc</ID><DisplayName>me</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>`;

test("a page's objects with their ETag, size and time, and the token of the next page", () => {
  const page = readListPage(answer({contents: [contents("topics/a+0+0000000000.json"), contents("topics/a+0+0000000000.keys.bin", "&quot;e&quot;", "7")], truncated: true, token: "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="}));
  assert.deepEqual(page, {
    objects: [
      {key: "topics/a+0+0000000000.json", etag: '"599bab3ed2c697f1d26842727561fd94"', size: 142863, lastModified: new Date("2025-01-30T10:02:03.000Z")},
      {key: "topics/a+0+0000000000.keys.bin", etag: '"e"', size: 7, lastModified: new Date("2025-01-30T10:02:03.000Z")},
    ],
    folders: [],
    nextToken: "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
  });
});

test("the last page, an empty one, and folders under a delimiter", () => {
  assert.deepEqual(readListPage(answer({contents: [contents("k")]}))?.nextToken, null);
  assert.deepEqual(readListPage(answer()), {objects: [], folders: [], nextToken: null});
  assert.deepEqual(readListPage(answer({prefixes: ["topics/a/", "topics/b&amp;c/"]}))?.folders, ["topics/a/", "topics/b&c/"]);
  // KeyCount is optional (older S3-compatible stores leave it out).
  assert.equal(readListPage(answer({contents: [contents("k")], keyCount: null}))?.objects.length, 1);
});

test("XML's escapes in keys are read: & < > quotes, and character references", () => {
  const page = readListPage(answer({contents: [contents("a &amp; b &lt;c&gt; &apos;d&apos; &#233;t&#xE9; &#x1F600;")]}));
  assert.equal(page?.objects[0].key, "a & b <c> 'd' été 😀");
});

test("anything else is left to the SDK: null", () => {
  const cases: [string, string][] = [
    ["not a listing", "<Error><Code>NoSuchBucket</Code></Error>"],
    ["an unknown escape", answer({contents: [contents("a&nbsp;b")]})],
    ["an escape that is a name on Object's prototype", answer({contents: [contents("a&toString;b")]})],
    ["a bare ampersand", answer({contents: [contents("a & b")]})],
    ["a reference past Unicode", answer({contents: [contents("&#x110000;")]})],
    ["CDATA", answer({contents: [contents("<![CDATA[a]]>")]})],
    ["keys URL-encoded (EncodingType)", answer({contents: [contents("a%20b")]}).replace("<MaxKeys>", "<EncodingType>url</EncodingType><MaxKeys>")],
    ["a Contents without its Key", answer({contents: ["<Contents><ETag>e</ETag><Size>1</Size><LastModified>2025-01-30T10:02:03.000Z</LastModified></Contents>"]})],
    ["an empty Key", answer({contents: [contents("")]})],
    ["a size that is not digits", answer({contents: [contents("k", "e", "-1")]})],
    ["a time that is not one", answer({contents: [contents("k", "e", "1", "yesterday")]})],
    ["a KeyCount that does not count them", answer({contents: [contents("k")], keyCount: 2})],
    ["truncated without a token", answer({contents: [contents("k")], truncated: true})],
    ["a Contents not closed", answer({contents: [contents("k").replace("</Contents>", "")]})],
    ["an element with markup inside", answer({contents: [contents("k").replace("<Size>142863</Size>", "<Size><x/>1</Size>")]})],
  ];
  for (const [what, xml] of cases) assert.equal(readListPage(xml), null, what);
});
