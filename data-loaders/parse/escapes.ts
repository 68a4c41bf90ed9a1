// Apache writes quoted fields with `"` as `\"`, `\` as `\\`, control characters as `\n \r \t \b \v`
// and other non-printable bytes as `\xhh` (ap_escape_logitem); nginx writes `\x22` for a quote.
// Analysts want the header as the client sent it, so referrer, user agent and user are unescaped;
// the URL is kept exactly as logged.

const NAMED: Readonly<Record<string, string>> = {n: "\n", r: "\r", t: "\t", b: "\b", v: "\v"};
const utf8 = new TextDecoder("utf-8", {fatal: true});

/**
 * The text with Apache's and nginx's escapes undone. Runs of `\xhh` bytes are decoded as UTF-8
 * when they are valid UTF-8, else each byte as Latin-1: a lossless fallback (every byte maps to
 * one character, U+0000–U+00FF), where the referrer's real encoding (often Windows-1251 or
 * Shift_JIS) cannot be known. A backslash before anything else is dropped, as Apache would have
 * written only the escapes above.
 */
export function unescapeLogField(text: string): string {
  if (text.indexOf("\\") < 0) return text;
  let out = "";
  let bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\" && text[i + 1] === "x" && isHex(text.charCodeAt(i + 2)) && isHex(text.charCodeAt(i + 3))) {
      bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
      continue;
    }
    if (bytes.length > 0) {
      out += decodeBytes(bytes);
      bytes = [];
    }
    if (c !== "\\" || i + 1 === text.length) {
      out += c;
      continue;
    }
    const next = text[++i];
    out += NAMED[next] ?? next;
  }
  if (bytes.length > 0) out += decodeBytes(bytes);
  return out;
}

function decodeBytes(bytes: number[]): string {
  const array = Uint8Array.from(bytes);
  try {
    return utf8.decode(array);
  } catch {
    let latin1 = "";
    for (const byte of array) latin1 += String.fromCharCode(byte);
    return latin1;
  }
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}
