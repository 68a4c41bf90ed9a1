// What most test files that sync start with: the local S3 endpoint (the SDK given its
// credentials, which it takes from the process environment) and a temporary folder for the store
// and the project, both gone after the file's tests.
import {mkdtemp, rm} from "node:fs/promises";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3} from "../../scripts/local-s3.js";

export async function startLocalS3AndFolder(prefix: string): Promise<{s3: LocalS3; dir: string}> {
  Object.assign(process.env, LOCAL_S3_CREDENTIALS);
  const s3 = await startLocalS3();
  return {s3, dir: await mkdtemp(join(tmpdir(), prefix))};
}

/** Stops the endpoint and removes the folder, whichever of them a failed start left. */
export async function stopLocalS3AndFolder(s3: LocalS3 | undefined, dir: string | undefined): Promise<void> {
  await s3?.stop();
  if (dir) await rm(dir, {recursive: true, force: true});
}
