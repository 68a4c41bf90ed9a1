// Apache writes quoted fields with `"` as `\"`, `\` as `\\` and non-printable bytes as `\xhh`
// (nginx: `\x22` for a quote). Analysts want the header as the client sent it, so referrer and
// user agent are unescaped; the URL is kept exactly as logged.

/** The text with Apache's/nginx's escapes undone; `\xhh` bytes decoded as UTF-8 when valid, else Latin-1. */
export function unescapeLogField(text: string): string {
  if (text.indexOf("\\") < 0) return text;
  let out = "";
  let bytes: number[] = [];
  const flushBytes = () => {
    if (bytes.length === 0) return;
    out += decodeBytes(bytes);
    bytes = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== "\\" || i + 1 === text.length) {
      flushBytes();
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === "x" && isHex(text.charCodeAt(i + 2)) && isHex(text.charCodeAt(i + 3))) {
      bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
      continue;
    }
    flushBytes();
    out += next === "n" ? "\n" : next === "t" ? "\t" : next === "r" ? "\r" : next;
    i++;
  }
  flushBytes();
  return out;
}

const utf8 = new TextDecoder("utf-8", {fatal: true});

function decodeBytes(bytes: number[]): string {
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return String.fromCharCode(...bytes);
  }
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}
