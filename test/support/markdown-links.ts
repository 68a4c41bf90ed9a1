// The links and heading anchors of a Markdown document, as GitHub renders it: enough of Markdown
// for the repository's own README and docs (inline links, ATX headings, fenced code), not a parser
// for Markdown at large.

export interface RelativeLink {
  /** The link as written, `[text](target)`, for messages. */
  text: string;
  /** The file it leads to, relative to the document's folder; "" for a heading of the same document. */
  path: string;
  /** The heading anchor after `#`, or null. */
  fragment: string | null;
}

/** Inline links to files of the repository (no scheme), outside code spans and fenced blocks; a
 *  link's text may wrap onto the next line, as it does in a paragraph. A lone backtick in prose
 *  pairs with the next one, so the links between them are missed (never reported broken). */
export function relativeLinks(markdown: string): RelativeLink[] {
  const links: RelativeLink[] = [];
  const prose = proseLines(markdown).join("\n").replace(/`[^`]*`/g, "");
  for (const match of prose.matchAll(/\[([^\]]*)\]\(([^)\s]+)\)/g)) {
    const target = match[2];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const hash = target.indexOf("#");
    links.push({
      text: match[0].replace(/\s+/g, " "),
      path: hash < 0 ? target : target.slice(0, hash),
      fragment: hash < 0 ? null : decodeURIComponent(target.slice(hash + 1)),
    });
  }
  return links;
}

/** The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces to
 *  hyphens, and a repeated anchor numbered from -1. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const times = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, "$1");
    const anchor = text.toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, "").replace(/ /g, "-");
    const seen = times.get(anchor) ?? 0;
    times.set(anchor, seen + 1);
    anchors.add(seen === 0 ? anchor : `${anchor}-${seen}`);
  }
  return anchors;
}

/** The lines outside fenced code blocks. */
function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    else if (!fenced) lines.push(line);
  }
  return lines;
}
