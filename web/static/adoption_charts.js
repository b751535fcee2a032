// adoption_charts.js - the adoption screens' pictures, drawn by hand as SVG
// like the vital-signs trends (trend.js, whose line chart draws each
// clinician's small curve): a benchmark's value against its floor and goal,
// the levels of a module's users week by week (stacked bars), and the
// practice's productivity against the expected curve with the forecast's
// band. Every picture says what it shows in words too: an aria-label or a
// <title>/<desc>, and a table of the same numbers beside it, so colour is
// never the only way to read one. SVG presentation attributes only: the
// page's CSP allows no inline style.

import { h } from "./dom.js";
import { lineChart } from "./trend.js";

const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== "")
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

export const round1 = (v) => Math.round(v * 10) / 10;
const isNum = (v) => typeof v === "number" && Number.isFinite(v);

// "62%", "5.2 h per 8 h": a value with its unit.
export function withUnit(value, unit) {
  if (!isNum(value)) return "—";
  return unit === "%" ? `${round1(value)}%` : `${round1(value)}${unit ? ` ${unit}` : ""}`;
}

// Where a benchmark stands, in words (the class gives the colour).
export const STANDING = { goal_met: "Goal met", floor_met: "Floor met", below_floor: "Below floor", no_value: "No value" };

// A benchmark's value as a small bar with the floor and goal marked.
export function benchmarkBar(b) {
  const W = 180, H = 22, pad = 2;
  const values = [b.value, b.floor, b.goal, b.unit === "%" ? 100 : 0].filter(isNum);
  const hi = Math.max(...values, 1) * (b.unit === "%" ? 1 : 1.15);
  const x = (v) => pad + (Math.max(0, v) / hi) * (W - 2 * pad);
  const label = isNum(b.value)
    ? `${b.label}: ${withUnit(b.value, b.unit)}, floor ${withUnit(b.floor, b.unit)}, goal ${withUnit(b.goal, b.unit)}${b.lower_is_better ? " (lower is better)" : ""}`
    : `${b.label}: no value, floor ${withUnit(b.floor, b.unit)}, goal ${withUnit(b.goal, b.unit)}`;
  return s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": label, class: "bench-bar" },
    s("rect", { x: pad, y: 6, width: W - 2 * pad, height: 10, fill: "#eef1f4", stroke: "#d5dde6" }),
    isNum(b.value) ? s("rect", { x: pad, y: 6, width: Math.max(1, x(b.value) - pad), height: 10,
      fill: b.standing === "below_floor" ? "#a3231f" : b.standing === "goal_met" ? "#1e6b3a" : "#1f5fa8" }) : null,
    isNum(b.floor) ? s("line", { x1: x(b.floor), x2: x(b.floor), y1: 1, y2: 21, stroke: "#1d2733", "stroke-width": 2 }) : null,
    isNum(b.goal) ? s("line", { x1: x(b.goal), x2: x(b.goal), y1: 1, y2: 21, stroke: "#1d2733", "stroke-width": 2,
      "stroke-dasharray": "3 2" }) : null);
}

// The levels of a module's users per week as stacked bars: learning at the
// bottom (its flagged part drawn darker), adopted, proficient on top.
const LEVELS = [["learning", "Learning", "#f0b429"], ["adopted", "Adopted", "#1f5fa8"], ["proficient", "Proficient", "#1e6b3a"]];

export function levelBars(id, title, series) {
  const W = 320, H = 150, P = { left: 28, right: 8, top: 10, bottom: 24 };
  const rows = Array.isArray(series) ? series : [];
  const total = (r) => LEVELS.reduce((n, [k]) => n + (r[k] || 0), 0);
  const hi = Math.max(1, ...rows.map(total));
  const slot = (W - P.left - P.right) / Math.max(1, rows.length);
  const y = (v) => P.top + (1 - v / hi) * (H - P.top - P.bottom);
  const bars = rows.flatMap((r, i) => {
    let base = 0;
    const x = P.left + i * slot + slot * 0.15, w = Math.max(1, slot * 0.7);
    const parts = LEVELS.map(([k, , color]) => {
      const v = r[k] || 0, el = v ? s("rect", { x, y: y(base + v), width: w, height: y(base) - y(base + v), fill: color }) : null;
      base += v;
      return el;
    });
    const f = Math.min(r.flagged || 0, r.learning || 0);
    if (f) parts.push(s("rect", { x, y: y(f), width: w, height: y(0) - y(f), fill: "#a3231f" }));
    return parts;
  });
  const words = rows.length
    ? `Week ending ${rows[rows.length - 1].week_end}: ${LEVELS.map(([k, name]) => `${rows[rows.length - 1][k] || 0} ${name.toLowerCase()}`).join(", ")}, ${rows[rows.length - 1].flagged || 0} flagged; ${rows.length} weeks shown.`
    : "No weeks since go-live yet.";
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`, id, class: "level-bars" },
    s("title", { id: `${id}-t` }, `${title}: users by level per week`), s("desc", { id: `${id}-d` }, words),
    s("line", { x1: P.left, y1: H - P.bottom, x2: W - P.right, y2: H - P.bottom, stroke: "#5b6b7c" }),
    s("text", { x: P.left - 4, y: y(hi) + 4, "text-anchor": "end", "font-size": 11 }, hi),
    s("text", { x: P.left - 4, y: y(0) + 4, "text-anchor": "end", "font-size": 11 }, 0),
    rows.length ? s("text", { x: P.left, y: H - 6, "font-size": 11 }, rows[0].week_end) : null,
    rows.length > 1 ? s("text", { x: W - P.right, y: H - 6, "font-size": 11, "text-anchor": "end" }, rows[rows.length - 1].week_end) : null,
    bars);
  const table = h("table", { class: "data" }, h("caption", {}, `${title}: users by level per week`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Week ending"),
      [...LEVELS.map(([, n]) => n), "Flagged"].map((n) => h("th", { scope: "col" }, n)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, h("th", { scope: "row" }, r.week_end),
      [...LEVELS.map(([k]) => k), "flagged"].map((k) => h("td", {}, r[k] || 0))))));
  return h("figure", { class: "adoption-chart" }, h("figcaption", {}, words),
    rows.length ? svg : null,
    rows.length ? h("details", {}, h("summary", {}, `${title} as a table`), table) : null);
}

// The key to every module's bars, shown once above them.
export function levelLegend() {
  return h("ul", { class: "chart-legend", id: "levels-legend" },
    [...LEVELS, ["flagged", "Flagged: below a floor after the settling-in weeks (the lower part of learning)"]].map(([k, name]) =>
      h("li", { class: `legend-${k}` }, h("span", { class: `swatch swatch-${k}`, "aria-hidden": "true" }), name)));
}

// The dip in words: depth, length and recovery (productivity.h).
export function dipText(p) {
  if (!p || (!p.golive && !(p.weeks || []).length)) return "No productivity measured: no clinical module is live yet, or no visits are scheduled.";
  if (p.baseline_per_session === null || p.baseline_per_session === undefined)
    return "No baseline: there were no completed visits in the 8 weeks before go-live (import them from the PMS to compare).";
  const d = p.dip;
  if (!d) return `Baseline ${round1(p.baseline_per_session)} visits per session; no complete week since go-live yet.`;
  const back = d.recovered_week === null || d.recovered_week === undefined
    ? `not back at 100% yet (last complete week: ${round1(d.current)}%)`
    : `back at 100% in week ${d.recovered_week} (last complete week: ${round1(d.current)}%)`;
  return `Baseline ${round1(p.baseline_per_session)} visits per session. Deepest point: ${round1(d.lowest)}% in week ${d.lowest_week}; `
    + `${d.weeks_below_90} week${d.weeks_below_90 === 1 ? "" : "s"} below 90%; ${back}.`;
}

// Live weeks' [first_day, percent] points of a curve member.
function points(p, key) {
  return ((p && p.weeks) || []).filter((w) => w.week >= 1 && isNum(w[key])).map((w) => [w.first_day, round1(w[key])]);
}

// One clinician's small curve (trend.js's line chart): actual and expected.
export function clinicianChart(id, name, p) {
  const actual = points(p, "ratio"), expected = points(p, "expected");
  if (!actual.length) return h("figure", { class: "trend-chart", id }, h("figcaption", {}, h("strong", {}, name)),
    h("p", { class: "dip-text" }, dipText(p)));
  const fig = lineChart(id, name, "% of baseline", [
    { name: "Actual", points: actual, color: "#1f5fa8" },
    { name: "Expected", points: expected, color: "#5b6b7c", dash: "5 3" }].filter((l) => l.points.length));
  fig.append(h("p", { class: "dip-text" }, dipText(p)));
  return fig;
}

// The practice's curve by week since go-live: the actual ratio, the
// expected curve, and each forecast's band (low to high) with its middle.
export function productivityChart(id, p, forecast) {
  const W = 560, H = 240, P = { left: 40, right: 12, top: 14, bottom: 30 };
  const actual = ((p && p.weeks) || []).filter((w) => w.week >= 1 && isNum(w.ratio));
  const expected = ((p && p.weeks) || []).filter((w) => w.week >= 1 && isNum(w.expected));
  const bands = [["plan", "Plan estimate", "#1e6b3a", "6 3"], ["big_bang", "Big Bang estimate", "#a3231f", "2 3"]]
    .map(([k, name, color, dash]) => ({ k, name, color, dash, weeks: ((forecast && forecast[k] && forecast[k].weeks) || []).filter((w) => isNum(w.mid)) }))
    .filter((b) => b.weeks.length);
  // The forecasts run for months: show them a little past the actual
  // weeks (at least a quarter), so the weeks lived are not squeezed.
  const lastActual = Math.max(0, ...actual.map((w) => w.week));
  const lastWeek = Math.max(4, lastActual, Math.min(Math.max(13, lastActual + 8),
    Math.max(0, ...bands.flatMap((b) => b.weeks.map((w) => w.week)))));
  for (const b of bands) b.weeks = b.weeks.filter((w) => w.week <= lastWeek);
  const vals = [100, ...actual.map((w) => w.ratio), ...expected.map((w) => w.expected),
    ...bands.flatMap((b) => b.weeks.flatMap((w) => [w.low, w.high]))].filter(isNum);
  // From a little under the lowest week, not from 0: the dip is the story.
  const hi = Math.ceil(Math.max(...vals) / 10) * 10;
  const lo = Math.max(0, Math.floor((Math.min(...vals) - 5) / 10) * 10);
  const x = (wk) => P.left + ((wk - 1) / Math.max(1, lastWeek - 1)) * (W - P.left - P.right);
  const y = (v) => P.top + (1 - (v - lo) / (hi - lo)) * (H - P.top - P.bottom);
  const line = (pts, attrs) => s("polyline", { points: pts.map(([a, b]) => `${x(a)},${y(b)}`).join(" "), fill: "none", ...attrs });
  const summary = [
    actual.length ? `Actual: ${actual.map((w) => `week ${w.week} ${round1(w.ratio)}%`).join(", ")}.` : "No actual weeks yet.",
    ...bands.map((b) => `${b.name}: from ${round1(b.weeks[0].mid)}% in week 1 to ${round1(b.weeks[b.weeks.length - 1].mid)}% in week ${b.weeks[b.weeks.length - 1].week}.`),
  ].join(" ");
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`, id, class: "productivity-svg" },
    s("title", { id: `${id}-t` }, "The practice's productivity, percent of baseline by week since go-live"),
    s("desc", { id: `${id}-d` }, summary),
    bands.map((b) => s("polygon", { fill: b.color, "fill-opacity": 0.12, stroke: "none",
      points: [...b.weeks.map((w) => `${x(w.week)},${y(w.high)}`), ...[...b.weeks].reverse().map((w) => `${x(w.week)},${y(w.low)}`)].join(" ") })),
    s("line", { x1: P.left, y1: y(100), x2: W - P.right, y2: y(100), stroke: "#d5dde6" }),
    s("line", { x1: P.left, y1: H - P.bottom, x2: W - P.right, y2: H - P.bottom, stroke: "#5b6b7c" }),
    s("line", { x1: P.left, y1: P.top, x2: P.left, y2: H - P.bottom, stroke: "#5b6b7c" }),
    hi - 100 >= 20 ? s("text", { x: P.left - 4, y: y(hi) + 4, "text-anchor": "end", "font-size": 11 }, `${hi}%`) : null,
    s("text", { x: P.left - 4, y: y(100) + 4, "text-anchor": "end", "font-size": 11 }, "100%"),
    s("text", { x: P.left - 4, y: y(lo) + 4, "text-anchor": "end", "font-size": 11 }, `${lo}%`),
    s("text", { x: P.left, y: H - 8, "font-size": 11 }, "week 1"),
    s("text", { x: W - P.right, y: H - 8, "font-size": 11, "text-anchor": "end" }, `week ${lastWeek}`),
    bands.map((b) => line(b.weeks.map((w) => [w.week, w.mid]), { stroke: b.color, "stroke-width": 1.5, "stroke-dasharray": b.dash })),
    expected.length ? line(expected.map((w) => [w.week, w.expected]), { stroke: "#5b6b7c", "stroke-width": 1.5, "stroke-dasharray": "5 3" }) : null,
    actual.length ? line(actual.map((w) => [w.week, w.ratio]), { stroke: "#1f5fa8", "stroke-width": 2.5 }) : null,
    actual.map((w) => s("circle", { cx: x(w.week), cy: y(w.ratio), r: 3, fill: "#1f5fa8" })));
  const legend = h("ul", { class: "chart-legend" },
    h("li", {}, h("span", { class: "swatch swatch-actual", "aria-hidden": "true" }), "Actual (solid line with dots)"),
    h("li", {}, h("span", { class: "swatch swatch-expected", "aria-hidden": "true" }), "Expected: 75% in weeks 1–2, 90% by week 4, 100% by month 3 (grey dashes)"),
    bands.map((b) => h("li", {}, h("span", { class: `swatch swatch-${b.k}`, "aria-hidden": "true" }),
      `${b.name} (shaded band: low to high; dashed: middle) — an estimate`)));
  const weeks = [...new Set([...actual.map((w) => w.week), ...bands.flatMap((b) => b.weeks.map((w) => w.week))])].sort((a, b) => a - b);
  const cell = (list, wk, f) => { const w = list.find((v) => v.week === wk); return w ? f(w) : "—"; };
  const table = h("table", { class: "data", id: `${id}-table` }, h("caption", {}, "Productivity by week since go-live, percent of baseline"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Week"), h("th", { scope: "col" }, "Actual"), h("th", { scope: "col" }, "Expected"),
      bands.map((b) => h("th", { scope: "col" }, `${b.name} (low–mid–high)`)))),
    h("tbody", {}, weeks.map((wk) => h("tr", {}, h("th", { scope: "row" }, wk),
      h("td", {}, cell(actual, wk, (w) => `${round1(w.ratio)}%`)),
      h("td", {}, cell(expected, wk, (w) => `${round1(w.expected)}%`)),
      bands.map((b) => h("td", {}, cell(b.weeks, wk, (w) => `${round1(w.low)}–${round1(w.mid)}–${round1(w.high)}%`)))))));
  return h("figure", { class: "adoption-chart productivity-chart" },
    h("figcaption", {}, h("strong", {}, "The practice"), " — percent of the pre-go-live baseline, by week since go-live"),
    svg, legend, h("details", {}, h("summary", {}, "Productivity as a table"), table));
}
