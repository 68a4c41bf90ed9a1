// Observable Framework settings for the workbook site. Everything the site loads comes from
// this project: no CDN, no web fonts, so the built site works with no network at all.
export default {
  root: "src",
  title: "Weblog Workbook",
  pages: [{name: "Overview", path: "/"}],
  // Framework's default asks fonts.googleapis.com for Source Serif; the system fonts do instead.
  globalStylesheets: [],
  // Default theme (air, near-midnight when dark) plus Inputs' stylesheet, all from node_modules.
  style: "style.css",
  // GeoLite2's licence asks for this credit wherever the data is shown.
  footer:
    "Weblog Workbook: access logs from CloudWatch, Kafka and S3, analysed in your browser with DuckDB-WASM. " +
    'IP geolocation by <a href="https://www.maxmind.com">MaxMind</a> GeoLite2.',
  search: false,
};
