// GeoLite2 names countries in English ("United States", "The Netherlands"); Natural Earth's
// 1:110m outlines (world-atlas) use short names ("United States of America", "Netherlands",
// "Dem. Rep. Congo"). Names are matched after these aliases; a country that still matches no
// outline is listed under the map, never silently dropped.

const GEOLITE_TO_NATURAL_EARTH: Record<string, string> = {
  "United States": "United States of America",
  "The Netherlands": "Netherlands",
  "Netherlands": "Netherlands",
  "Russia": "Russia",
  "Czechia": "Czechia",
  "Czech Republic": "Czechia",
  "Türkiye": "Turkey",
  "Bosnia and Herzegovina": "Bosnia and Herz.",
  "Central African Republic": "Central African Rep.",
  "DR Congo": "Dem. Rep. Congo",
  "Congo Republic": "Congo",
  "Dominican Republic": "Dominican Rep.",
  "Equatorial Guinea": "Eq. Guinea",
  "Ivory Coast": "Côte d'Ivoire",
  "North Macedonia": "Macedonia",
  "South Sudan": "S. Sudan",
  "Solomon Islands": "Solomon Is.",
  "Falkland Islands": "Falkland Is.",
  "Western Sahara": "W. Sahara",
  "Eswatini": "eSwatini",
  "Bahamas": "Bahamas",
  "Hashemite Kingdom of Jordan": "Jordan",
  "Republic of Lithuania": "Lithuania",
  "Republic of Moldova": "Moldova",
  "Palestine": "Palestine",
  "Timor-Leste": "Timor-Leste",
  "French Southern Territories": "Fr. S. Antarctic Lands",
};

export function naturalEarthName(geoliteName: string): string {
  return GEOLITE_TO_NATURAL_EARTH[geoliteName] ?? geoliteName;
}
