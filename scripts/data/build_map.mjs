#!/usr/bin/env node
// Builds Chokepoint's world map, data/world_map.json: one SVG path per country, in the Equal
// Earth projection, quantised to integers in a fixed viewBox. The calculator's world map
// (src/app/components/world_map.rs, drawn by the lazily loaded pages' part of the app) shades these paths by the
// firm's share of supply from each country.
//
//     node scripts/data/build_map.mjs            # (re)write data/world_map.json
//     node scripts/data/build_map.mjs --check    # exit 1 if data/world_map.json is stale
//
// Inputs (docs/DATA.md, section "World map"):
// - data/sources/map/countries-110m.json: TopoJSON of Natural Earth 4.1.0 1:110m Admin 0
//   countries (public domain), as published in the npm package world-atlas 2.0.2 (ISC licence,
//   data/sources/map/LICENSE-world-atlas), vendored so that the build needs no download;
// - data/sources/reference/countries.csv (iso3, iso_numeric) to turn the features' ISO 3166-1
//   numeric ids into alpha-3 codes.
//
// Steps, all deterministic (running twice gives byte-identical output):
// 1. Every arc of the topology is projected with Equal Earth (below) and scaled so that the map
//    is WIDTH units wide.
// 2. Each arc is simplified once with Douglas-Peucker at TOLERANCE units (Douglas & Peucker
//    1973, Cartographica 10(2)). Simplifying the shared arcs, not the rings, keeps neighbouring
//    borders identical: no slivers or gaps.
// 3. topojson-client's `feature` assembles each country's rings from the simplified arcs; rings
//    that cross the antimeridian (Russia's Chukotka, Fiji) are cut there; the points are
//    projected and rounded to integers; repeated points are dropped, and rings left with fewer
//    than three points or no area are dropped (small islands). A country that would lose every
//    ring keeps its largest one, unsimplified.
// 4. Paths are written with an absolute move and relative integer steps ("M12 34l1-2 3 0z"), to
//    be drawn with the even-odd fill rule (holes such as Lesotho in South Africa).
//
// Antarctica is left out: no portfolio draws on it, and it would take a fifth of the height.
// Three features have no ISO numeric id in world-atlas: Kosovo is keyed `XKX`, the user-assigned
// code the reference data uses; N. Cyprus and Somaliland have no code there and are written under
// `uncoded` by name, drawn as "no data" and never shaded.
import { feature } from 'topojson-client';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOPOLOGY = join(ROOT, 'data', 'sources', 'map', 'countries-110m.json');
/** The world-atlas release the vendored countries-110m.json was taken from (data/sources/SOURCES.md). */
const ATLAS_VERSION = '2.0.2';
const COUNTRIES = join(ROOT, 'data', 'sources', 'reference', 'countries.csv');
const OUT = join(ROOT, 'data', 'world_map.json');

/** Map width in viewBox units; the height follows from the projection and the latitudes kept. */
const WIDTH = 2000;
/** Douglas-Peucker tolerance, in viewBox units. */
const TOLERANCE = 0.5;
/** Features left out, by ISO 3166-1 numeric id: Antarctica. */
const LEFT_OUT = new Set(['010']);
/** Features without an id in world-atlas, by name: the code the reference data gives, if any. */
const NAMED = { Kosovo: 'XKX', 'N. Cyprus': null, Somaliland: null };

// Equal Earth projection: Šavrič, B., Patterson, T. and Jenny, B. (2018), "The Equal Earth map
// projection", International Journal of Geographical Information Science 33(3), 454-465,
// doi:10.1080/13658816.2018.1504949. With sin(theta) = (sqrt(3) / 2) sin(phi):
//   x = 2 sqrt(3) lambda cos(theta) / (3 (9 A4 theta^8 + 7 A3 theta^6 + 3 A2 theta^2 + A1))
//   y = A4 theta^9 + A3 theta^7 + A2 theta^3 + A1 theta
// (lambda, phi in radians; y grows northwards).
const A1 = 1.340264;
const A2 = -0.081106;
const A3 = 0.000893;
const A4 = 0.003796;
const M = Math.sqrt(3) / 2;

/** Equal Earth [x, y] of a [longitude, latitude] in degrees. */
export function equalEarth([lon, lat]) {
  const lambda = (lon * Math.PI) / 180;
  const theta = Math.asin(M * Math.sin((lat * Math.PI) / 180));
  const t2 = theta * theta;
  const t6 = t2 * t2 * t2;
  const x = (2 * Math.sqrt(3) * lambda * Math.cos(theta)) / (3 * (9 * A4 * t6 * t2 + 7 * A3 * t6 + 3 * A2 * t2 + A1));
  const y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
  return [x, y];
}

/** The ISO 3166-1 numeric code (as a number) -> alpha-3 of the reference country list. */
function numericToAlpha3(csvText) {
  const [header, ...rows] = csvText.trim().split(/\r?\n/);
  const columns = header.split(',');
  const iso3 = columns.indexOf('iso3');
  const numeric = columns.indexOf('iso_numeric');
  if (iso3 < 0 || numeric < 0) throw new Error('countries.csv: no iso3 or iso_numeric column');
  const out = new Map();
  for (const row of rows) {
    // The columns read come before any quoted field with commas.
    const cells = row.split(',');
    if (cells[numeric] !== '') out.set(Number(cells[numeric]), cells[iso3]);
  }
  return out;
}

/** The arcs of `topology` as absolute [lon, lat] points (undoing the delta encoding). */
function decodeArcs(topology) {
  const { scale, translate } = topology.transform;
  return topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]) => {
      x += dx;
      y += dy;
      return [x * scale[0] + translate[0], y * scale[1] + translate[1]];
    });
  });
}

/** Squared distance from `p` to the segment `a`-`b`. */
function segmentDistance2(p, a, b) {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const length2 = dx * dx + dy * dy;
  let t = length2 === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2;
  t = Math.max(0, Math.min(1, t));
  const [ex, ey] = [a[0] + t * dx - p[0], a[1] + t * dy - p[1]];
  return ex * ex + ey * ey;
}

/** Douglas-Peucker: the points of `points` to keep (endpoints always), as flags. */
function douglasPeucker(points, tolerance) {
  const keep = points.map(() => false);
  keep[0] = keep[points.length - 1] = true;
  const stack = [[0, points.length - 1]];
  const t2 = tolerance * tolerance;
  while (stack.length) {
    const [first, last] = stack.pop();
    let worst = -1;
    let index = -1;
    for (let i = first + 1; i < last; i++) {
      const d = segmentDistance2(points[i], points[first], points[last]);
      if (d > worst) [worst, index] = [d, i];
    }
    if (index >= 0 && worst > t2) {
      keep[index] = true;
      stack.push([first, index], [index, last]);
    }
  }
  return keep;
}

/** Which points of an arc (in viewBox units) to keep; a closed arc (an island) is split at its
 * farthest point from the start first, so that it keeps an area. */
function simplifyArc(points, tolerance) {
  if (points.length <= 2) return points.map(() => true);
  const [first, last] = [points[0], points[points.length - 1]];
  if (first[0] !== last[0] || first[1] !== last[1]) return douglasPeucker(points, tolerance);
  let far = 1;
  let best = -1;
  points.forEach((p, i) => {
    const d = segmentDistance2(p, first, first);
    if (d > best) [best, far] = [d, i];
  });
  const a = douglasPeucker(points.slice(0, far + 1), tolerance);
  const b = douglasPeucker(points.slice(far), tolerance);
  return [...a.slice(0, far), ...b];
}

/** A [lon, lat] ring cut at the antimeridian: the pieces, each within -180..180 degrees.
 *
 * Natural Earth rings may cross 180 degrees (Russia's Chukotka, Fiji): the ring is unwrapped so
 * that no step jumps by more than 180 degrees, then clipped (Sutherland-Hodgman, in degrees) to
 * each 360-degree window it reaches and shifted back. A ring around a pole (Antarctica, left out)
 * cannot be unwrapped and stops the build. */
function cutAtAntimeridian(ring) {
  const unwrapped = [ring[0]];
  for (let i = 1; i < ring.length; i++) {
    let lon = ring[i][0];
    const previous = unwrapped[i - 1][0];
    while (lon - previous > 180) lon -= 360;
    while (previous - lon > 180) lon += 360;
    unwrapped.push([lon, ring[i][1]]);
  }
  const lons = unwrapped.map((p) => p[0]);
  const [low, high] = [Math.min(...lons), Math.max(...lons)];
  if (low >= -180 && high <= 180) return [ring];
  const [a, b] = [unwrapped[0], unwrapped[unwrapped.length - 1]];
  if (a[0] !== b[0] || a[1] !== b[1]) throw new Error('a ring goes around a pole');
  const clip = (points, keep, edge) => {
    const out = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const [p, q] = [points[i], points[i + 1]];
      if (keep(p)) out.push(p);
      if (keep(p) !== keep(q)) {
        const t = (edge - p[0]) / (q[0] - p[0]);
        out.push([edge, p[1] + t * (q[1] - p[1])]);
      }
    }
    if (out.length) out.push(out[0]);
    return out;
  };
  const pieces = [];
  for (let shift = Math.floor((low + 180) / 360); shift * 360 - 180 < high; shift++) {
    const [west, east] = [shift * 360 - 180, shift * 360 + 180];
    let piece = clip(unwrapped, (p) => p[0] >= west, west);
    piece = clip(piece, (p) => p[0] <= east, east);
    if (piece.length >= 4) pieces.push(piece.map(([lon, lat]) => [lon - shift * 360, lat]));
  }
  return pieces;
}

/** Twice the signed area of a closed ring. */
function ringArea2(ring) {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  }
  return sum;
}

/** A ring without repeated points, closed; `null` when it has under three points or no area. */
function cleanRing(ring) {
  const out = [];
  for (const p of ring) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  if (out.length > 1 && out[0][0] === out[out.length - 1][0] && out[0][1] === out[out.length - 1][1]) out.pop();
  if (out.length < 3) return null;
  out.push(out[0]);
  return ringArea2(out) === 0 ? null : out;
}

/** The polygons (lists of rings, in viewBox units) of a GeoJSON geometry in [lon, lat]: cut at
 * the antimeridian, projected by `toView`, cleaned; a polygon whose outer ring vanished is
 * dropped with its holes. A polygon cut in pieces becomes one polygon per piece of its outer ring,
 * each with the holes (the even-odd rule draws a hole outside its piece as nothing). */
function polygons(geometry, toView) {
  const list = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
  const out = [];
  for (const [outer, ...holes] of list) {
    const keptHoles = holes.flatMap(cutAtAntimeridian).map((r) => cleanRing(r.map(toView))).filter(Boolean);
    for (const piece of cutAtAntimeridian(outer)) {
      const ring = cleanRing(piece.map(toView));
      if (ring) out.push([ring, ...keptHoles]);
    }
  }
  return out;
}

/** A number in a path, with the separator it needs after `previous` text. */
function joinNumbers(numbers) {
  let out = '';
  numbers.forEach((n, i) => {
    out += i > 0 && n >= 0 ? ` ${n}` : `${n}`;
  });
  return out;
}

/** SVG path data of polygons: absolute move, relative integer line steps, close. */
function pathData(polys) {
  let out = '';
  for (const rings of polys) {
    for (const ring of rings) {
      const steps = [];
      for (let i = 1; i + 1 < ring.length; i++) {
        steps.push(ring[i][0] - ring[i - 1][0], ring[i][1] - ring[i - 1][1]);
      }
      out += `M${joinNumbers(ring[0])}l${joinNumbers(steps)}z`;
    }
  }
  return out;
}

export function build() {
  const topology = JSON.parse(readFileSync(TOPOLOGY, 'utf8'));
  const atlasVersion = ATLAS_VERSION;
  const alpha3 = numericToAlpha3(readFileSync(COUNTRIES, 'utf8'));
  const geometries = topology.objects.countries.geometries.filter((g) => !LEFT_OUT.has(g.id));

  // Bounds of the projected arcs that the kept features use.
  const lonLat = decodeArcs(topology);
  const projected = lonLat.map((arc) => arc.map(equalEarth));
  const used = new Set();
  const walk = (arcs) => {
    for (const a of arcs) (Array.isArray(a) ? walk(a) : used.add(a < 0 ? ~a : a));
  };
  for (const g of geometries) walk(g.arcs);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const i of used) {
    for (const [x, y] of projected[i]) {
      [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
    }
  }
  const pad = 2;
  const k = (WIDTH - 2 * pad) / (x1 - x0);
  const height = Math.ceil((y1 - y0) * k) + 2 * pad;
  const toView = ([x, y]) => [Math.round(pad + (x - x0) * k), Math.round(pad + (y1 - y) * k)];

  const scaled = ([x, y]) => [pad + (x - x0) * k, pad + (y1 - y) * k];
  const simplified = lonLat.map((arc, i) => {
    const keep = simplifyArc(projected[i].map(scaled), TOLERANCE);
    return arc.filter((_, j) => keep[j]);
  });
  const geometryOf = (arcs, g) => feature({ type: 'Topology', arcs, objects: { c: g } }, g).geometry;
  const toViewLonLat = (p) => toView(equalEarth(p));

  const countries = {};
  const uncoded = {};
  for (const g of geometries) {
    const name = g.properties.name;
    let key;
    if (g.id === undefined) {
      if (!(name in NAMED)) throw new Error(`feature without an id not listed in NAMED: ${name}`);
      key = NAMED[name];
    } else {
      key = alpha3.get(Number(g.id));
      if (!key) throw new Error(`ISO numeric ${g.id} (${name}) is not in countries.csv`);
    }
    let polys = polygons(geometryOf(simplified, g), toViewLonLat);
    if (polys.length === 0) {
      // Too small to survive simplification: its largest ring, only quantised.
      const all = polygons(geometryOf(lonLat, g), toViewLonLat);
      all.sort((a, b) => Math.abs(ringArea2(b[0])) - Math.abs(ringArea2(a[0])));
      polys = all.slice(0, 1).map((rings) => [rings[0]]);
    }
    if (polys.length === 0) throw new Error(`${name}: no ring left`);
    const path = pathData(polys);
    if (key === null) uncoded[name] = path;
    else if (key in countries) throw new Error(`two features for ${key}`);
    else countries[key] = path;
  }

  const sorted = (object) => Object.fromEntries(Object.keys(object).sort().map((key) => [key, object[key]]));
  const header = {
    source: `Natural Earth 1:110m Admin 0 countries (version 4.1.0), as TopoJSON in the npm package world-atlas ${atlasVersion} (countries-110m.json)`,
    licence: 'Public domain (Natural Earth); world-atlas packaging under the ISC licence',
    citation: `Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com. Shapes: world-atlas ${atlasVersion}, M. Bostock, countries-110m.json. Projection: Equal Earth (Šavrič, Patterson and Jenny 2018, International Journal of Geographical Information Science 33(3), 454-465).`,
    built_by: 'scripts/data/build_map.mjs',
    projection: 'Equal Earth, central meridian 0',
    simplification: `Douglas-Peucker at ${TOLERANCE} viewBox units on the shared arcs, cut at the antimeridian, rounded to integers; Antarctica left out`,
    view_box: [0, 0, WIDTH, height],
  };
  // One entry per line, so that a change shows as a readable diff.
  const lines = (object) =>
    Object.entries(object)
      .map(([key, value]) => `    ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
      .join(',\n');
  const text =
    '{\n' +
    Object.entries(header)
      .map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)},\n`)
      .join('') +
    `  "uncoded": {\n${lines(sorted(uncoded))}\n  },\n` +
    `  "countries": {\n${lines(sorted(countries))}\n  }\n}\n`;
  JSON.parse(text);
  return text;
}

function main() {
  const check = process.argv.includes('--check');
  const text = build();
  const gzip = gzipSync(Buffer.from(text), { level: 9 }).length;
  const summary = `${OUT.slice(ROOT.length + 1)}: ${Buffer.byteLength(text)} bytes, ${gzip} bytes gzip -9`;
  if (check) {
    let current = '';
    try {
      current = readFileSync(OUT, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== text) {
      console.error(`${summary}: differs from a fresh build; run node scripts/data/build_map.mjs`);
      process.exit(1);
    }
    console.log(`${summary}: up to date`);
  } else {
    writeFileSync(OUT, text);
    console.log(`${summary}: written`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
