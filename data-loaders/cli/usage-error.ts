// A command line the user must fix: printed without a stack, exit code 2.
export class UsageError extends Error {
  override name = "UsageError";
}
