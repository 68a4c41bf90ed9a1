// User-Agent header → browser family and major version, OS family, device type, and whether (and
// which) robot sent it. ua-parser-js 1.x names browsers and platforms; isbot and bots.ts judge robots.
//
// Conventions callers rely on:
// - `browser` is the product family, whatever the form factor: Chrome on Android is "Chrome", Safari on
//   an iPhone is "Safari", IE Mobile is "IE" — `device_type` says mobile. Names follow ua-parser-js 1.x
//   with its idiosyncratic spellings fixed (see BROWSER_NAMES). Embedded views keep their own names
//   ("Chrome WebView", "Facebook", "Instagram").
// - `browser_version` is the major version only ("120"), as text.
// - `os` is the family: "Windows", "macOS" (Apple's name since 2016, used for every Mac OS X release
//   too), "iOS", "Android", "Linux" (every distribution: most Linux agents name none, so splitting
//   Ubuntu off would count a browser's habits, not its users), "Chrome OS", "FreeBSD"…
// - `device_type` is one of DEVICE_TYPES: bot for every bot; otherwise what ua-parser reports
//   (smarttv → tv; wearable and embedded → other), else desktop or mobile from the OS, else other.
// - `browser` and `os` describe what the agent claims, for bots too (Googlebot's smartphone crawler
//   claims Android Chrome): filter on `is_bot` for human traffic.
// - A missing agent (null, empty, "-") is a bot named "No user agent": browsers always send one,
//   so a request without is scripted.
import {createIsbotFromList, list as isbotPatterns} from "isbot";
import UAParser from "ua-parser-js";
import type {UserAgentFields} from "../event.js";
import {botNameFromAgent, findBotSignature} from "./bots.js";
import {createValueCache} from "./value-cache.js";

export const DEVICE_TYPES = ["desktop", "mobile", "tablet", "tv", "console", "bot", "other"] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export interface UserAgentClassifierOptions {
  /** Distinct agents remembered; 0 turns the cache off. */
  cacheSize?: number;
}

/**
 * Distinct agents remembered. A month of a busy site has tens of thousands; real agents run to a few
 * hundred bytes, and longer ones are not cached (below), so even a scanner sending random agents
 * cannot push the cache past some 60 MB.
 */
export const DEFAULT_USER_AGENT_CACHE_SIZE = 100_000;

/**
 * Agents longer than this are classified every time rather than cached: Apache accepts header lines of
 * 8 KB, and 100,000 of those would be most of a gigabyte. Browsers' agents stay well under 512 bytes.
 */
const MAX_CACHED_AGENT_LENGTH = 512;

export const NO_USER_AGENT: Readonly<UserAgentFields> = Object.freeze({
  browser: null,
  browser_version: null,
  os: null,
  device_type: "bot" satisfies DeviceType,
  is_bot: true,
  bot_name: "No user agent",
});

/** ua-parser-js 1.x names, lower-cased → ours, where its spelling is not the product's (or its case varies). */
const BROWSER_NAMES: ReadonlyMap<string, string> = new Map([
  ["mobile chrome", "Chrome"],
  ["mobile firefox", "Firefox"],
  ["mobile safari", "Safari"],
  ["iemobile", "IE"],
  ["opera mobi", "Opera Mobile"],
  ["samsung browser", "Samsung Internet"],
  ["ucbrowser", "UC Browser"],
  ["qqbrowser", "QQ Browser"],
  ["qqbrowserlite", "QQ Browser"],
  ["yandex", "Yandex Browser"],
  ["silk", "Amazon Silk"],
  ["palemoon", "Pale Moon"],
  ["nokiabrowser", "Nokia Browser"],
  ["ovibrowser", "Ovi Browser"],
  ["gsa", "Google App"],
  ["kakaotalk", "KakaoTalk"],
  // Names ua-parser copies from the agent as written ("chrome/22", "brave", "weibo").
  ...["Chrome", "Firefox", "Safari", "Opera", "Edge", "Brave", "Weibo", "Rekonq", "Conkeror", "Konqueror", "Chromium"].map(
    (name): [string, string] => [name.toLowerCase(), name],
  ),
]);

/** ua-parser-js 1.x OS names, lower-cased → our families. Names not listed pass through unchanged. */
const OS_FAMILIES: ReadonlyMap<string, string> = new Map([
  ["mac os", "macOS"],
  ["chromium os", "Chrome OS"],
  ["linux", "Linux"],
  ...["ubuntu", "kubuntu", "xubuntu", "lubuntu", "debian", "fedora", "mint", "arch", "centos", "gentoo", "mandriva", "mageia",
    "redhat", "red hat", "suse", "opensuse", "slackware", "zenwalk", "deepin", "elementary os", "pclinuxos", "manjaro",
    "linpus", "raspbian", "sabayon", "knoppix", "joli", "morph", "vectorlinux"].map((distro): [string, string] => [distro, "Linux"]),
  ["freebsd", "FreeBSD"],
  ["openbsd", "OpenBSD"],
  ["netbsd", "NetBSD"],
  ["dragonfly", "DragonFly"],
  ["windows", "Windows"],
  ["windows phone os", "Windows Phone"],
  ["android", "Android"],
]);

/** Mac apps' CFNetwork agents, which ua-parser-js files under iOS: "… CFNetwork/673 Darwin/13.0.0 (x86_64) (MacBookPro11,1)". */
const MAC_CFNETWORK = /Darwin\/[\d.]+ \((?:x86_64|i386)\)|\((?:MacBook|Macmini|MacPro|iMac)/;
/** iPad agents from in-app views, which ua-parser-js calls mobile. */
const IPAD = /\biPad\b/;

const DESKTOP_OSES = new Set(["Windows", "macOS", "Linux", "Chrome OS", "FreeBSD", "OpenBSD", "NetBSD", "DragonFly", "Solaris", "Haiku", "BeOS", "OS/2", "AIX", "HP-UX", "Unix"]);
const MOBILE_OSES = new Set(["Android", "iOS", "Windows Phone", "Windows Mobile", "BlackBerry", "Symbian", "KaiOS", "Firefox OS", "HarmonyOS", "Sailfish", "Bada", "MeeGo", "Maemo", "Series40"]);

const UA_PARSER_DEVICE_TYPES: ReadonlyMap<string, DeviceType> = new Map([
  ["mobile", "mobile"],
  ["tablet", "tablet"],
  ["smarttv", "tv"],
  ["console", "console"],
  ["wearable", "other"],
  ["embedded", "other"],
]);

// isbot, minus patterns that flag human browsers: "chromeframe" is Google Chrome Frame, an Internet
// Explorer plug-in people browsed with (91 of the 10,000 real test lines).
const HUMAN_BROWSER_PATTERNS = new Set(["chromeframe"]);
const isKnownBot = createIsbotFromList(isbotPatterns.filter((pattern) => !HUMAN_BROWSER_PATTERNS.has(pattern)));

export function createUserAgentClassifier(options: UserAgentClassifierOptions = {}): (userAgent: string | null) => UserAgentFields {
  const cache = createValueCache<UserAgentFields>(options.cacheSize ?? DEFAULT_USER_AGENT_CACHE_SIZE);
  const parser = new UAParser();
  return (userAgent) => {
    if (userAgent === null) return NO_USER_AGENT;
    if (userAgent.length > MAX_CACHED_AGENT_LENGTH) return classify(parser, userAgent);
    const cached = cache.get(userAgent);
    if (cached !== undefined) return cached;
    const fields = classify(parser, userAgent);
    cache.set(userAgent, fields);
    return fields;
  };
}

function classify(parser: UAParser, userAgent: string): UserAgentFields {
  const agent = userAgent.trim();
  if (agent === "" || agent === "-") return NO_USER_AGENT;
  parser.setUA(agent);
  const parsedBrowser = parser.getBrowser();
  const browser = parsedBrowser.name === undefined ? null : (BROWSER_NAMES.get(parsedBrowser.name.toLowerCase()) ?? parsedBrowser.name);
  const parsedOs = osFamily(parser.getOS().name);
  const os = parsedOs === "iOS" && MAC_CFNETWORK.test(agent) ? "macOS" : parsedOs;
  const signature = findBotSignature(agent);
  const isBot = signature !== null || isKnownBot(agent);
  return Object.freeze({
    browser,
    browser_version: browser === null ? null : parsedBrowser.major || null,
    os,
    device_type: isBot ? "bot" : deviceType(parser.getDevice().type, os, agent),
    is_bot: isBot,
    bot_name: signature?.name ?? (isBot ? botNameFromAgent(agent) : null),
  });
}

function osFamily(name: string | undefined): string | null {
  if (name === undefined || name === "") return null;
  return OS_FAMILIES.get(name.toLowerCase()) ?? name;
}

function deviceType(parsedType: string | undefined, os: string | null, agent: string): DeviceType {
  const known = parsedType === undefined ? undefined : UA_PARSER_DEVICE_TYPES.get(parsedType);
  if (known === "mobile" && IPAD.test(agent)) return "tablet";
  if (known !== undefined) return known;
  if (os !== null && DESKTOP_OSES.has(os)) return "desktop";
  if (os !== null && MOBILE_OSES.has(os)) return "mobile";
  return "other";
}
