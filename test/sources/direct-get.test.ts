// The reader thread's plain signed GET (sources/direct-get.ts), planned from an SDK client's
// configuration and credentials and sent as the reader thread sends it: against the real local S3 endpoint
// it reads each object's stored bytes itself (names that need escaping too), and leaves to the
// SDK (null) an ETag other than the listed one, an object gone and an endpoint it cannot reach;
// a body sent without its length is read whole, one cut short of its length is left to the SDK.
// The local endpoint does not check signatures, so a server here checks them as S3 does (the
// canonical request rebuilt from what came over the wire, signed with the secret): it accepts
// the SDK's own GetObject, which shows the check is S3's, and then this module's, session token
// and all.
import assert from "node:assert/strict";
import {createHash} from "node:crypto";
import http from "node:http";
import type {AddressInfo} from "node:net";
import {after, before, test} from "node:test";
import {GetObjectCommand, S3Client} from "@aws-sdk/client-s3";
import {SignatureV4} from "@smithy/signature-v4";
import {DirectGetPlans} from "../../data-loaders/sources/direct-get.js";
import {NodeSha256, SignedGets} from "../../data-loaders/sources/signed-get.js";
import {createS3Client} from "../../data-loaders/sources/s3-client.js";
import type {LocalS3} from "../../scripts/local-s3.js";
import {localBucketOf} from "../support/local-s3-objects.js";

const objects: Record<string, Buffer> = {
  "topics/app.i-01/year=2025/app.i-01+0+0000000000.json": Buffer.from('"203.0.113.9 - - [01/Jan/2025:00:00:00 +0000] \\"GET / HTTP/1.1\\" 200 1"\n'),
  "odd names/a b+c=d/é (1)*!'.json": Buffer.from('"one"\n'),
  "empty.json": Buffer.alloc(0),
};

let s3: LocalS3;
let client: S3Client;
let etags: Record<string, string>;

before(async () => {
  ({s3, client, etags} = await localBucketOf("b", objects));
});

after(async () => {
  await s3?.stop();
});

test("each object's stored bytes are read by the plain GET itself, whatever its name", async () => {
  const direct = directGets(client, s3.endpoint);
  try {
    for (const [key, bytes] of Object.entries(objects)) {
      const got = await direct.get("b", key, etags[key]);
      assert.ok(got !== null, `${key}: read directly, not left to the SDK`);
      assert.ok(got.equals(bytes), `${key}: the stored bytes`);
    }
  } finally {
    direct.close();
  }
});

test("another ETag, an object gone and an endpoint not reached are left to the SDK", async () => {
  const direct = directGets(client, s3.endpoint);
  const key = Object.keys(objects)[0];
  try {
    assert.equal(await direct.get("b", key, '"0123456789abcdef0123456789abcdef"'), null);
    assert.equal(await direct.get("b", "gone.json", etags[key]), null);
    assert.equal(await direct.get("no-such-bucket", key, etags[key]), null);
  } finally {
    direct.close();
  }
  const unreachable = createS3Client({region: "us-east-1", endpoint: "http://127.0.0.1:1", forcePathStyle: true});
  const nowhere = directGets(unreachable, "http://127.0.0.1:1");
  try {
    assert.equal(await nowhere.get("b", key, etags[key]), null);
  } finally {
    nowhere.close();
  }
});

test("the request is signed as S3 checks it: the SDK's and this module's both pass, a wrong secret does not", async () => {
  const credentials = {accessKeyId: "AKIASIGNATURETEST000", secretAccessKey: "signature-test-secret", sessionToken: "session-token-of-the-test"};
  const body = Buffer.from("signed\n");
  const etag = `"${createHash("md5").update(body).digest("hex")}"`;
  const verdicts: {path: string; valid: boolean}[] = [];
  const server = http.createServer((request, response) => {
    void verified(request, credentials.secretAccessKey, credentials.sessionToken).then((valid) => {
      verdicts.push({path: request.url!.split("?")[0], valid});
      if (!valid) return void response.writeHead(403).end();
      response.writeHead(200, {etag, "content-length": body.length}).end(body);
    });
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = "odd names/a b+c=d/é (1)*!'.json";
  const signedBy = (secretAccessKey: string) => new S3Client({region: "eu-west-1", endpoint, forcePathStyle: true, credentials: {...credentials, secretAccessKey}, maxAttempts: 1});
  try {
    const viaSdk = await signedBy(credentials.secretAccessKey).send(new GetObjectCommand({Bucket: "b", Key: key}));
    assert.equal(await viaSdk.Body!.transformToString(), "signed\n");
    const direct = directGets(signedBy(credentials.secretAccessKey), endpoint);
    const wrongSecret = directGets(signedBy("not-the-secret"), endpoint);
    try {
      assert.deepEqual(await direct.get("b", key, etag), body);
      assert.equal(await wrongSecret.get("b", key, etag), null);
    } finally {
      direct.close();
      wrongSecret.close();
    }
    const escaped = "/b/odd%20names/a%20b%2Bc%3Dd/%C3%A9%20%281%29%2A%21%27.json";
    assert.deepEqual(verdicts, [{path: escaped, valid: true}, {path: escaped, valid: true}, {path: escaped, valid: false}]);
  } finally {
    server.close();
  }
});

test("a body sent without its length is read whole; one shorter than its announced length is left to the SDK", async () => {
  const body = Buffer.from("x".repeat(200_000));
  const etag = '"e"';
  const server = http.createServer((request, response) => {
    if (request.url!.includes("chunked")) {
      response.writeHead(200, {etag});
      response.write(body.subarray(0, 100_000));
      response.end(body.subarray(100_000));
    } else {
      // Announces more than it sends, then ends the connection.
      response.writeHead(200, {etag, "content-length": body.length + 10});
      response.write(body, () => response.destroy());
    }
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const direct = directGets(createS3Client({region: "us-east-1", endpoint, forcePathStyle: true}), endpoint);
  try {
    assert.deepEqual(await direct.get("b", "chunked.json", etag), body);
    assert.equal(await direct.get("b", "short.json", etag), null);
  } finally {
    direct.close();
    server.close();
  }
});

/** Both halves as a sync uses them: the GET planned with the client's configuration and credentials, then sent. */
function directGets(client: S3Client, endpoint: string) {
  const plans = new DirectGetPlans(client, endpoint);
  const gets = new SignedGets();
  return {
    async get(bucket: string, key: string, etag: string): Promise<Buffer | null> {
      gets.setCredentials(await plans.credentials());
      const plan = await plans.plan(bucket, key);
      return plan === null ? null : gets.get(plan, etag);
    },
    close: () => gets.close(),
  };
}

/** S3's check of a SigV4 request: the canonical request rebuilt from what arrived, signed with the secret, compared. */
async function verified(request: http.IncomingMessage, secretAccessKey: string, sessionToken: string): Promise<boolean> {
  const authorization = request.headers.authorization ?? "";
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match || request.headers["x-amz-security-token"] !== sessionToken) return false;
  const [, accessKeyId, , region, signedHeaders, signature] = match;
  const url = new URL(request.url!, "http://placeholder");
  const headers = Object.fromEntries(signedHeaders.split(";").map((name) => [name, String(request.headers[name] ?? "")]));
  const amzDate = String(request.headers["x-amz-date"]);
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const signer = new SignatureV4({service: "s3", region, credentials: {accessKeyId, secretAccessKey, sessionToken}, sha256: NodeSha256, uriEscapePath: false});
  const expected = await signer.sign({method: request.method!, protocol: "http:", hostname: "127.0.0.1", path: url.pathname, query: Object.fromEntries(url.searchParams), headers}, {signingDate});
  return String(expected.headers.authorization).endsWith(`Signature=${signature}`);
}
