// Test material in ../shared/data (relative to the repository), found from this file's place.
import {readFileSync} from "node:fs";
import {fileURLToPath} from "node:url";

/** The absolute path of a file under ../shared/data/. */
export function sharedDataPath(relative: string): string {
  return fileURLToPath(new URL(`../../../shared/data/${relative}`, import.meta.url));
}

/** The non-empty lines of a file under ../shared/data/. */
export function sharedDataLines(relative: string): string[] {
  return readFileSync(sharedDataPath(relative), "utf8").split("\n").filter((line) => line !== "");
}
