// Which requests are pages (what a reader asked to see) rather than assets, feeds or API calls:
// the Visits page counts pages per visit and entry and exit pages by it. A stand-in until the
// request classes (page, asset, API, other) are a column of the events: the same default rule,
// by the path's extension and an /api/ prefix.

/** Extensions of files a page loads, or that no one reads as a page. */
const NOT_PAGE_EXTENSIONS = [
  "css", "js", "mjs", "map", "json", "xml", "rss", "atom", "txt",
  "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "avif", "bmp", "tif", "tiff",
  "woff", "woff2", "ttf", "otf", "eot",
  "mp3", "mp4", "webm", "ogg", "wav", "mov", "avi",
  "pdf", "zip", "gz", "tgz", "bz2", "xz", "tar", "rar", "7z", "deb", "rpm", "dmg", "exe", "iso",
];

/** SQL over `path`: true for a page (no extension, or .html, .php …), false otherwise; false with no path. */
export function isPageSql(path = "path"): string {
  return (
    `coalesce(NOT regexp_matches(lower(${path}), '\\.(${NOT_PAGE_EXTENSIONS.join("|")})$') ` +
    `AND NOT starts_with(lower(${path}), '/api/'), false)`
  );
}
