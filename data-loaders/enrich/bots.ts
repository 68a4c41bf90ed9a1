// The crawlers, scanners, monitors and scripted clients we name: what `isbot` detects but cannot
// name, plus a few it misses (Nikto). Pure data and string matching; user-agent.ts decides is_bot.

export type BotKind =
  /** Search engines, SEO and AI crawlers, archives. */
  | "crawler"
  /** Internet-wide surveys and vulnerability scanners. */
  | "scanner"
  /** Uptime checks, load-balancer health checks, synthetic tests. */
  | "monitor"
  /** Link previews, feed readers and proxies fetching on someone's behalf. */
  | "fetcher"
  /** HTTP libraries, command-line tools and headless browsers: scripts. */
  | "library";

export interface BotSignature {
  /** The name in `bot_name`: the product's own spelling; variants of one crawler share it. */
  name: string;
  kind: BotKind;
  /** Case-insensitive; tested in catalogue order, so specific signatures come before general ones. */
  pattern: RegExp;
}

const signature = (name: string, kind: BotKind, pattern: RegExp): BotSignature => ({name, kind, pattern});

export const BOT_SIGNATURES: readonly BotSignature[] = [
  // Scanners first: several pose as browsers, and their names are what a security reader looks for.
  // Expanse (Palo Alto Networks Cortex Xpanse) sends prose, not a product token: "Expanse, a Palo Alto
  // Networks company, searches across the global IPv4 space…" and, before 2021, "Expanse indexes the
  // network perimeters of our customers…"; both end with a scaninfo@ address.
  signature("Expanse", "scanner", /^Expanse\b|scaninfo@(?:paloaltonetworks|expanseinc)\.com/i),
  signature("CensysInspect", "scanner", /CensysInspect/i),
  signature("zgrab", "scanner", /\bzgrab/i),
  signature("Nmap", "scanner", /Nmap Scripting Engine|\bnmap\b/i),
  signature("Nuclei", "scanner", /\bNuclei\b|projectdiscovery\/nuclei/i),
  signature("httpx", "scanner", /projectdiscovery\/httpx/i),
  signature("Naabu", "scanner", /Naabu/i),
  signature("sqlmap", "scanner", /sqlmap/i),
  signature("Nikto", "scanner", /\bNikto\b/i),
  signature("masscan", "scanner", /masscan/i),
  signature("WPScan", "scanner", /WPScan/i),
  signature("Acunetix", "scanner", /Acunetix/i),
  signature("OpenVAS", "scanner", /OpenVAS/i),
  signature("Nessus", "scanner", /Nessus/i),
  signature("Qualys", "scanner", /Qualys/i),
  signature("gobuster", "scanner", /gobuster/i),
  signature("ffuf", "scanner", /Fuzz Faster U Fool|\bffuf\b/i),
  signature("feroxbuster", "scanner", /feroxbuster/i),
  signature("DirBuster", "scanner", /DirBuster/i),
  signature("Wfuzz", "scanner", /Wfuzz/i),
  signature("NetSystemsResearch", "scanner", /NetSystemsResearch/i),
  signature("InternetMeasurement", "scanner", /InternetMeasurement/i),
  signature("LeakIX", "scanner", /LeakIX|\bl9(?:explore|tcpid|scan)\b/i),
  signature("Stretchoid", "scanner", /stretchoid/i),
  signature("Odin", "scanner", /getodin\.com/i),
  signature("ModatScanner", "scanner", /ModatScanner/i),
  signature("Netcraft", "scanner", /Netcraft(?:SurveyAgent|\s*Web Server Survey)/i),

  // Monitors: on EC2 behind a load balancer, ELB-HealthChecker alone can be most of the log.
  signature("ELB-HealthChecker", "monitor", /ELB-HealthChecker/i),
  signature("Route 53 Health Check", "monitor", /Amazon-Route53-Health-Check/i),
  signature("CloudWatch Synthetics", "monitor", /CloudWatchSynthetics/i),
  signature("GoogleHC", "monitor", /\bGoogleHC\//i),
  signature("kube-probe", "monitor", /kube-probe/i),
  signature("UptimeRobot", "monitor", /UptimeRobot/i),
  signature("Pingdom", "monitor", /Pingdom/i),
  signature("StatusCake", "monitor", /StatusCake/i),
  signature("Site24x7", "monitor", /Site24x7/i),
  signature("New Relic Synthetics", "monitor", /NewRelicPinger|New Relic Synthetics/i),
  signature("Datadog Synthetics", "monitor", /Datadog(?:Synthetics| Agent)/i),
  signature("Better Stack", "monitor", /Better ?Uptime|Better Stack/i),
  signature("Uptime Kuma", "monitor", /Uptime-?Kuma/i),
  signature("Zabbix", "monitor", /Zabbix/i),
  signature("check_http", "monitor", /check_http|monitoring-plugins/i),
  signature("Freshping", "monitor", /Freshping/i),
  signature("HetrixTools", "monitor", /HetrixTools/i),
  signature("Catchpoint", "monitor", /Catchpoint/i),
  signature("Checkly", "monitor", /Checkly/i),

  // Search engines.
  signature("Googlebot", "crawler", /Googlebot/i),
  signature("AdsBot-Google", "crawler", /AdsBot-Google/i),
  signature("Mediapartners-Google", "crawler", /Mediapartners-Google/i),
  signature("Google-InspectionTool", "crawler", /Google-InspectionTool/i),
  signature("GoogleOther", "crawler", /GoogleOther/i),
  signature("Storebot-Google", "crawler", /Storebot-Google/i),
  signature("Google-Site-Verification", "crawler", /Google-Site-Verification/i),
  signature("Google-Read-Aloud", "fetcher", /Google-Read-Aloud/i),
  signature("Google Favicon", "fetcher", /Google favicon/i),
  signature("Google Web Preview", "fetcher", /Google Web Preview/i),
  signature("GoogleImageProxy", "fetcher", /GoogleImageProxy/i),
  signature("Google App Engine", "fetcher", /AppEngine-Google/i),
  signature("Google Docs", "fetcher", /via docs\.google\.com/i),
  signature("Feedfetcher-Google", "fetcher", /^Feedfetcher-Google/i), // Feedly says "like FeedFetcher-Google"
  signature("bingbot", "crawler", /bingbot/i),
  signature("msnbot", "crawler", /msnbot/i),
  signature("BingPreview", "fetcher", /BingPreview/i),
  signature("AdIdxBot", "crawler", /adidxbot/i),
  signature("Yahoo! Slurp", "crawler", /Yahoo! ?Slurp|\bSlurp\b/i),
  signature("DuckDuckBot", "crawler", /DuckDuckBot|DuckDuckGo-Favicons-Bot/i),
  signature("Baiduspider", "crawler", /Baiduspider/i),
  signature("YandexBot", "crawler", /\bYandex(?:Bot|Images|Video|Media|News|Blogs|Direct|Metrika|Favicons|Mobile\w*|Accessibility\w*|Webmaster|Turbo|Market|Additional|RenderResources\w*|Screenshot\w*|Verticals|Search)\b/i),
  signature("Sogou", "crawler", /Sogou (?:web|inst|Pic|Orion|Push|head|develop)?\s*spider|Sogou-Test-Spider|New-Sogou-Spider/i),
  signature("360Spider", "crawler", /360Spider/i),
  signature("YisouSpider", "crawler", /YisouSpider/i),
  signature("EasouSpider", "crawler", /EasouSpider/i),
  signature("Bytespider", "crawler", /Bytespider/i),
  signature("PetalBot", "crawler", /PetalBot|AspiegelBot/i),
  signature("SeznamBot", "crawler", /SeznamBot/i),
  signature("Applebot", "crawler", /Applebot/i),
  signature("Qwantbot", "crawler", /Qwantify|Qwantbot/i),
  signature("coccocbot", "crawler", /coccocbot/i),
  signature("Exabot", "crawler", /Exabot/i),
  signature("MojeekBot", "crawler", /MojeekBot/i),
  signature("Yeti", "crawler", /\bYeti\/\d/i),
  signature("Daumoa", "crawler", /Daumoa/i),
  signature("Mail.RU_Bot", "crawler", /Mail\.RU_Bot/i),
  signature("archive.org_bot", "crawler", /archive\.org_bot|special_archiver/i),
  signature("ia_archiver", "crawler", /ia_archiver/i),
  signature("heritrix", "crawler", /heritrix/i),
  signature("Nutch", "crawler", /\bNutch/i),

  // SEO and marketing crawlers.
  signature("AhrefsBot", "crawler", /Ahrefs(?:Bot|SiteAudit)/i),
  signature("SemrushBot", "crawler", /SemrushBot|SiteAuditBot/i),
  signature("MJ12bot", "crawler", /MJ12bot/i),
  signature("DotBot", "crawler", /\bDotBot/i),
  signature("rogerbot", "crawler", /rogerbot/i),
  signature("Ezooms", "crawler", /Ezooms/i),
  signature("BLEXBot", "crawler", /BLEXBot/i),
  signature("DataForSeoBot", "crawler", /DataForSeoBot/i),
  signature("serpstatbot", "crawler", /serpstatbot/i),
  signature("Barkrowler", "crawler", /Barkrowler/i),
  signature("MegaIndex", "crawler", /MegaIndex/i),
  signature("Screaming Frog SEO Spider", "crawler", /Screaming Frog/i),

  // AI crawlers and assistants.
  signature("GPTBot", "crawler", /GPTBot/i),
  signature("ChatGPT-User", "fetcher", /ChatGPT-User/i),
  signature("OAI-SearchBot", "crawler", /OAI-SearchBot/i),
  signature("ClaudeBot", "crawler", /ClaudeBot|Claude-Web|Claude-SearchBot|anthropic-ai/i),
  signature("Claude-User", "fetcher", /Claude-User/i),
  signature("CCBot", "crawler", /CCBot/i),
  signature("PerplexityBot", "crawler", /PerplexityBot/i),
  signature("Perplexity-User", "fetcher", /Perplexity-User/i),
  signature("Amazonbot", "crawler", /Amazonbot/i),
  signature("meta-externalagent", "crawler", /meta-external(?:agent|fetcher)/i),
  signature("FacebookBot", "crawler", /FacebookBot/i),
  signature("cohere-ai", "crawler", /cohere-ai/i),
  signature("Diffbot", "crawler", /Diffbot/i),
  signature("ImagesiftBot", "crawler", /ImagesiftBot/i),
  signature("Timpibot", "crawler", /Timpibot/i),

  // Link previews and social fetchers.
  signature("facebookexternalhit", "fetcher", /facebookexternalhit|\bFacebot\b/i),
  signature("Twitterbot", "fetcher", /Twitterbot/i),
  signature("LinkedInBot", "fetcher", /LinkedInBot/i),
  signature("Slackbot", "fetcher", /Slackbot|Slack-ImgProxy/i),
  signature("Discordbot", "fetcher", /Discordbot/i),
  signature("TelegramBot", "fetcher", /TelegramBot/i),
  signature("WhatsApp", "fetcher", /^WhatsApp\//i),
  signature("Pinterestbot", "fetcher", /Pinterest(?:bot|\/0\.)/i),
  signature("redditbot", "fetcher", /redditbot/i),
  signature("Embedly", "fetcher", /Embedly/i),
  signature("Iframely", "fetcher", /Iframely/i),
  signature("SkypeUriPreview", "fetcher", /SkypeUriPreview/i),
  signature("Flipboard", "fetcher", /Flipboard(?:Proxy|RSS|Bot)/i),

  // Feed readers and aggregators: they poll on a timer, nobody is reading at that moment.
  signature("Feedly", "fetcher", /Feedly/i),
  signature("FeedBurner", "fetcher", /FeedBurner/i),
  signature("UniversalFeedParser", "fetcher", /UniversalFeedParser/i),
  signature("Tiny Tiny RSS", "fetcher", /Tiny Tiny RSS/i),
  signature("Feedbin", "fetcher", /Feedbin/i),
  signature("NewsBlur", "fetcher", /NewsBlur/i),
  signature("Inoreader", "fetcher", /Inoreader/i),
  signature("The Old Reader", "fetcher", /theoldreader/i),
  signature("CommaFeed", "fetcher", /CommaFeed/i),
  signature("SimplePie", "fetcher", /SimplePie/i),
  signature("FreshRSS", "fetcher", /FreshRSS/i),
  signature("Miniflux", "fetcher", /Miniflux/i),
  signature("Digg Feed Fetcher", "fetcher", /Digg Feed Fetcher/i),

  // Libraries, tools and headless browsers. Last, because crawlers built on them often keep the token.
  signature("HeadlessChrome", "library", /HeadlessChrome/i),
  signature("PhantomJS", "library", /PhantomJS/i),
  signature("curl", "library", /(?:^|[\s(;])curl\/\d/i),
  signature("Wget", "library", /^Wget\b/i),
  signature("python-requests", "library", /python-requests/i),
  signature("Python-urllib", "library", /Python-urllib/i),
  signature("python-httpx", "library", /python-httpx/i),
  signature("aiohttp", "library", /aiohttp/i),
  signature("Scrapy", "library", /Scrapy/i),
  signature("Go-http-client", "library", /Go-http-client/i),
  signature("fasthttp", "library", /^fasthttp/i),
  signature("Java", "library", /^Java\/\d/i),
  signature("Apache-HttpClient", "library", /Apache-HttpClient/i),
  signature("okhttp", "library", /^okhttp\//i),
  signature("axios", "library", /^axios\//i),
  signature("node-fetch", "library", /^node-fetch/i),
  signature("undici", "library", /^undici|^node$/i),
  signature("libwww-perl", "library", /libwww-perl|^LWP::/i),
  signature("Ruby", "library", /^Ruby\b/i),
  signature("GuzzleHttp", "library", /GuzzleHttp/i),
  signature("HTTP_Request2", "library", /HTTP_Request2/i),
  signature("PostmanRuntime", "library", /PostmanRuntime/i),
  signature("Indy Library", "library", /Indy Library/i),
  signature("libfetch", "library", /libfetch/i),
];

// One pass decides whether any signature applies; only agents that match pay for the ordered scan.
const ANY_SIGNATURE = new RegExp(BOT_SIGNATURES.map((entry) => `(?:${entry.pattern.source})`).join("|"), "i");

/** The first catalogue entry the agent matches, or null. */
export function findBotSignature(userAgent: string): BotSignature | null {
  if (!ANY_SIGNATURE.test(userAgent)) return null;
  for (const entry of BOT_SIGNATURES) if (entry.pattern.test(userAgent)) return entry;
  return null;
}

const MAX_DERIVED_NAME_LENGTH = 40;
/** Words that mark a token as the robot's own name inside a browser-like agent. */
const ROBOT_WORD = /bot|crawl|spider|slurp|fetch|scan|archiv|preview|proxy|reader|feed|checker|monitor|agent/i;
/** Comment tokens that describe a platform, not a product. */
const PLATFORM_TOKEN = /^(?:compatible|U|I|N|MSIE\b|Windows|Win\d|WOW64|Linux|X11|Macintosh|Intel|PPC|CPU\b|iPhone|iPad|Android|Mobile|KHTML|like Gecko|rv:|Trident|\.NET|SLCC|Media Center|InfoPath|Tablet|Touch|x86|x64|amd64|i[3-6]86|[a-z]{2}(?:[-_][A-Za-z]{2})?$)/i;

/**
 * A best-effort name for a bot the catalogue does not know, from the agent's own words:
 * "UniversalFeedParser/4.2-pre (+http://…)" → "UniversalFeedParser",
 * "Mozilla/5.0 (compatible; Ezooms/1.0; help@moz.com)" → "Ezooms". Null when nothing looks like a name
 * (a bare "Mozilla/4.0", an address): a wrong name would be worse than none.
 */
export function botNameFromAgent(userAgent: string): string | null {
  const agent = userAgent.trim();
  // Agents that do not pose as browsers lead with their product: "Tiny Tiny RSS/1.11 (http://tt-rss.org/)".
  if (!/^Mozilla\//i.test(agent)) return cleanName(agent.split(/[/;(,<]|\s[-+]\s?|\s\d|\s(?:https?:|www\.)/, 1)[0]);
  const tokens = agent.split(/[;()]+/).map(productName).filter((name) => name !== "" && !looksLikeAddress(name));
  // A token with a robot's word in it: "(compatible; bingbot/2.0; …)", "… Safari/537.36 360Spider".
  const robot = tokens.find((name) => ROBOT_WORD.test(name) && !/^Mozilla$/i.test(name));
  if (robot !== undefined) return cleanName(robot);
  // "(compatible; Name/1.0; …)": the first versioned comment token that is not a platform.
  const comment = agent.slice(agent.indexOf("(") + 1).split(/[;)]/).map((token) => token.trim());
  if (comment[0]?.toLowerCase() !== "compatible") return null;
  const product = comment.slice(1).find((token) => /^[^\s/]+(?:\s[^\s/]+)?\/v?\d/.test(token) && !PLATFORM_TOKEN.test(token));
  return product === undefined ? null : cleanName(productName(product));
}

/** "Ezooms/1.0 +http://…" → "Ezooms". */
function productName(token: string): string {
  return token.split(/\/|\s\+|\s\(|\shttps?:/, 1)[0].trim();
}

function looksLikeAddress(token: string): boolean {
  return /:\/\/|^\+?https?(?::|$)|^\+?www\.|@/i.test(token);
}

function cleanName(candidate: string | undefined): string | null {
  const name = (candidate ?? "").replace(/^[\s+]+|[\s,;:.+-]+$/g, "").replace(/\s+v?\d[\w.]*$/, "");
  if (name.length < 2 || name.length > MAX_DERIVED_NAME_LENGTH || !/[A-Za-z]/.test(name) || looksLikeAddress(name) || /^compatible$/i.test(name)) return null;
  return name;
}
