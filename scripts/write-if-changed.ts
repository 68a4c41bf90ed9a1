// Writes a generated file only when its text changed: a running preview watches src/ and would
// reload for a file written again with the same text.
import {readFile, writeFile} from "node:fs/promises";

export async function writeIfChanged(file: string, text: string): Promise<void> {
  const current = await readFile(file, "utf8").catch(() => undefined);
  if (current !== text) await writeFile(file, text);
}
