// A word cloud of user agents with d3-cloud. Agent strings come from whoever sent the request, so
// every word is an SVG text node filled with textContent, never markup; long strings are cut
// for display with the whole string in a <title>. The layout is seeded, so it is the same on
// every load (and in tests).
// d3-cloud as scripts/bundle-libraries.ts bundles it: a shorter canvas for the words' shapes, some 80 ms less a cloud.
import cloud from "./d3-cloud.js";
import {seededRandom} from "./seeded-random.js";

export interface CloudWord {
  /** The full text: a browser or bot family, or a whole agent string. */
  text: string;
  requests: number;
}

const SVG = "http://www.w3.org/2000/svg";
const MAX_LABEL = 40;

export function wordCloud(words: CloudWord[], {width, height = Math.round(width * 0.5)}: {width: number; height?: number}): Promise<SVGSVGElement> {
  const max = Math.max(1, ...words.map((w) => w.requests));
  const min = Math.max(1, Math.min(...words.map((w) => w.requests)));
  // Square-root scale between 11 px and 54 px: the biggest families dominate without hiding the rest.
  const size = (requests: number) => 11 + 43 * Math.sqrt((requests - min) / Math.max(1, max - min));
  const random = seededRandom(42);
  type Placed = cloud.Word & {full: string; requests: number};
  return new Promise((resolve) => {
    const layout = cloud<Placed>()
      .size([width, height])
      .words(words.map((w) => ({text: cut(w.text), full: w.text, requests: w.requests, size: size(w.requests)})))
      .padding(2)
      .rotate(() => 0)
      .font("system-ui, sans-serif")
      .fontSize((d) => d.size!)
      .random(random)
      // Placed in slices of 10 ms (d3-cloud yields between them with setInterval) instead of one
      // task of 150 ms or more.
      .timeInterval(10)
      .on("end", (placed) => resolve(draw(placed, width, height)));
    // The layout (every word drawn to a canvas, then placed) starts once the frame after this one
    // has begun, so the charts drawn alongside it are painted first and never wait for it.
    requestAnimationFrame(() => setTimeout(() => layout.start(), 0));
  });
}

function draw(placed: (cloud.Word & {full: string; requests: number})[], width: number, height: number): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("viewBox", `${-width / 2} ${-height / 2} ${width} ${height}`);
  svg.setAttribute("font-family", "system-ui, sans-serif");
  placed.forEach((word, i) => {
    const text = document.createElementNS(SVG, "text");
    text.setAttribute("text-anchor", "middle");
    text.setAttribute("transform", `translate(${word.x},${word.y})`);
    text.setAttribute("font-size", String(word.size));
    text.setAttribute("fill", PALETTE[i % PALETTE.length]);
    text.textContent = word.text ?? "";
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${word.full}: ${word.requests.toLocaleString("en-US")} requests`;
    text.append(title);
    svg.append(text);
  });
  return svg;
}

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"];

function cut(text: string): string {
  return text.length > MAX_LABEL ? text.slice(0, MAX_LABEL - 1) + "…" : text;
}

