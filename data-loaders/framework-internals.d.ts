// The slice of Observable Framework's own modules that built-site.ts uses: its normalized config
// (with its loaders) and its relative paths, as its build uses them. Framework ships no types for
// them; they are pinned with Framework in package-lock.json, and test/cli/build-command.test.ts
// fails if a new version changes what they give.
declare module "@observablehq/framework/dist/config.js" {
  export interface FrameworkFileInfo {
    size: number;
    /** Whole milliseconds. */
    mtimeMs: number;
    /** sha256 of the contents, hex. */
    hash: string;
  }
  export interface FrameworkLoader {
    /** The loader's source, from the root (a page's is its .md file). */
    path: string;
    /** Runs the loader when its cached output is missing (or stale, unless `useStale`); the output's path from the root. */
    load(options: {useStale: boolean}, effects: object): Promise<string>;
  }
  export interface FrameworkLoaders {
    find(path: string): FrameworkLoader | undefined;
    findPage(path: string): FrameworkLoader | undefined;
    getOutputInfo(path: string): FrameworkFileInfo | undefined;
    /** The file behind a path, from the root: a loader's cached output, or the path itself. */
    getOutputFilePath(path: string): string;
    getLocalModuleHash(path: string): Promise<string>;
  }
  export interface FrameworkConfig {
    root: string;
    output: string;
    head: unknown;
    header: unknown;
    footer: unknown;
    paths(): AsyncIterable<string>;
    loaders: FrameworkLoaders;
    [setting: string]: unknown;
  }
  export function readConfig(configPath?: string, root?: string): Promise<FrameworkConfig>;
}

declare module "@observablehq/framework/dist/path.js" {
  /** `target` as a page or module at `source` names it (./x, ../x). */
  export function relativePath(source: string, target: string): string;
}
