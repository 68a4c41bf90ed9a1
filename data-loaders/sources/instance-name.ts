// Which instance (log_stream) a local access-log file belongs to, from its name alone, so that a
// rotated set (access.log, access.log.1, access.log.2.gz) is one instance and several servers'
// logs side by side are told apart:
//   web-1.access.log, web-1.access.log.1, web-1-access_log-20240101.gz → "web-1"
//   web-2/access.log, web-2/access.log.3.gz                          → "web-2" (its folder's name)
//   access.log in the current folder                                 → "local"
import {basename, dirname, resolve} from "node:path";

/** The instance of files that say nothing of their own and sit in the current folder. */
export const LOCAL_INSTANCE = "local";

/** `.gz`, then a rotation suffix: `.1`, `-20240101` (logrotate's dateext), `.2024-01-01`. */
const COMPRESSION = /\.gz$/i;
const ROTATION = /(?:[.-]\d+|[.-]\d{4}-\d{2}-\d{2})$/;
/** What names an access log as such, at either end of its name: `access.log`, `access_log`, `.log`. */
const LOG_WORDS = [/[._-]?access[._-]log$/i, /[._-]?access$/i, /[._-]?log$/i, /^access[._-]?/i];

/** The file's name without compression, rotation and the words that only say it is an access log. */
export function ownName(file: string): string {
  let name = basename(file).replace(COMPRESSION, "").replace(ROTATION, "");
  for (const word of LOG_WORDS) name = name.replace(word, "");
  return name;
}

/**
 * The instance of `file`: its own name (see ownName), else the name of the folder it is in,
 * else LOCAL_INSTANCE for a file in `cwd` itself. Characters other than letters, digits, `.`,
 * `_` and `-` become `-`: the name is a page's path in the site.
 */
export function instanceOfFile(file: string, cwd: string = process.cwd()): string {
  const own = ownName(file);
  if (own !== "") return safeName(own);
  const folder = dirname(resolve(cwd, file));
  if (folder === resolve(cwd) || folder === dirname(folder)) return LOCAL_INSTANCE;
  return safeName(basename(folder));
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "-");
}
