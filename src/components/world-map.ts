// Requests on a world map: countries shaded by requests (log scale: a few countries dominate),
// cities as bubbles sized by requests.
import * as Plot from "./plot.js";
import {feature} from "topojson-client";
import type {Topology} from "topojson-specification";
import {naturalEarthName} from "./country-names.js";

export interface CountryCount {
  country: string;
  requests: number;
}

export interface CityCount {
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  requests: number;
}

export function worldMap(world: Topology, countries: CountryCount[], cities: CityCount[], {width}: {width: number}) {
  const shapes = feature(world, world.objects.countries) as unknown as GeoJSON.FeatureCollection<GeoJSON.Geometry, {name: string}>;
  const byName = new Map(countries.map((d) => [naturalEarthName(d.country), d.requests]));
  return Plot.plot({
    width,
    height: Math.round(width * 0.5),
    projection: "equal-earth",
    color: {type: "log", scheme: "blues", legend: true, label: "Requests by country", unknown: "var(--theme-background-alt)"},
    r: {range: [1.5, 18]},
    marks: [
      Plot.geo(shapes, {fill: (d) => byName.get(d.properties.name), stroke: "var(--theme-foreground-faint)", strokeWidth: 0.5, title: (d) => `${d.properties.name}: ${(byName.get(d.properties.name) ?? 0).toLocaleString("en-US")} requests`}),
      Plot.dot(cities, {x: "longitude", y: "latitude", r: "requests", fill: "#e15759", fillOpacity: 0.5, stroke: "white", strokeWidth: 0.5, title: (d: CityCount) => `${d.city}, ${d.country}: ${d.requests.toLocaleString("en-US")} requests`}),
      Plot.sphere({stroke: "var(--theme-foreground-faint)"}),
    ],
  });
}

/** Country names from the data that no outline on the map carries. */
export function unmatchedCountries(world: Topology, countries: CountryCount[]): string[] {
  const shapes = feature(world, world.objects.countries) as unknown as GeoJSON.FeatureCollection<GeoJSON.Geometry, {name: string}>;
  const names = new Set(shapes.features.map((f) => f.properties.name));
  return countries.map((d) => d.country).filter((c) => !names.has(naturalEarthName(c)));
}
