// trend.js - small line charts of vital signs over time (weight, BMI,
// systolic and diastolic blood pressure), drawn by hand as SVG: no build
// step to bundle a charting library, nothing that needs inline style or
// eval under the page's CSP, and about a hundred lines. Each chart is an
// image with a title and a description for screen readers, axis labels
// with the value range and first/last dates, and a table of the same
// values right under it (in a <details>) for anyone who prefers numbers.

import { get } from "./api.js";
import { h, show } from "./dom.js";
import { enc, when } from "./fmt.js";

const SVG = "http://www.w3.org/2000/svg";
const W = 300, H = 170, PAD = { left: 40, right: 12, top: 16, bottom: 28 };

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const coding = (o) => ((o.code && o.code.coding) || []).map((c) => c.code);
const at = (o) => String(o.effectiveDateTime || o.issued || "");

// Series from vital-signs Observations (LOINC codes as src/clinical/vitals.c writes them).
export function seriesFrom(observations) {
  const out = { weight: [], bmi: [], systolic: [], diastolic: [] };
  for (const o of observations) {
    const codes = coding(o), d = at(o);
    if (!d) continue;
    if (codes.includes("29463-7") && o.valueQuantity) out.weight.push([d, o.valueQuantity.value]);
    if (codes.includes("39156-5") && o.valueQuantity) out.bmi.push([d, o.valueQuantity.value]);
    for (const c of o.component || []) {
      const cc = coding(c);
      if (!c.valueQuantity) continue;
      if (cc.includes("8480-6")) out.systolic.push([d, c.valueQuantity.value]);
      if (cc.includes("8462-4")) out.diastolic.push([d, c.valueQuantity.value]);
    }
  }
  for (const k of Object.keys(out)) out[k].sort((a, b) => Date.parse(a[0]) - Date.parse(b[0]));
  return out;
}

// One chart: lines = [{ name, points: [[date, value]], dash }].
export function lineChart(id, title, unit, lines) {
  const all = lines.flatMap((l) => l.points);
  const dates = [...new Set(all.map((p) => p[0]))].sort((a, b) => Date.parse(a) - Date.parse(b));
  const values = all.map((p) => p[1]);
  let lo = Math.min(...values), hi = Math.max(...values);
  if (lo === hi) { lo -= 1; hi += 1; }
  const t0 = Date.parse(dates[0]), t1 = Date.parse(dates[dates.length - 1]);  // time, not index, on x
  const x = (d) => PAD.left + (t1 === t0 ? (W - PAD.left - PAD.right) / 2
    : ((Date.parse(d) - t0) / (t1 - t0)) * (W - PAD.left - PAD.right));
  const y = (v) => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const desc = lines.map((l) => `${l.name}: ${l.points.map(([d, v]) => `${v} ${unit} on ${when(d)}`).join(", ")}`).join(". ");
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`, id },
    s("title", { id: `${id}-t` }, `${title} over time`), s("desc", { id: `${id}-d` }, desc),
    s("line", { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, stroke: "#5b6b7c" }),
    s("line", { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, stroke: "#5b6b7c" }),
    s("text", { x: PAD.left - 4, y: y(hi) + 4, "text-anchor": "end", "font-size": 12 }, round(hi)),
    s("text", { x: PAD.left - 4, y: y(lo) + 4, "text-anchor": "end", "font-size": 12 }, round(lo)),
    s("text", { x: PAD.left, y: H - 8, "font-size": 12 }, dates[0].slice(0, 10)),
    dates.length > 1 ? s("text", { x: W - PAD.right, y: H - 8, "text-anchor": "end", "font-size": 12 }, dates[dates.length - 1].slice(0, 10)) : "",
    ...lines.flatMap((l) => [
      s("polyline", { points: l.points.map(([d, v]) => `${x(d)},${y(v)}`).join(" "), fill: "none",
                      stroke: l.color, "stroke-width": 2, "stroke-dasharray": l.dash || "none" }),
      ...l.points.map(([d, v]) => s("circle", { cx: x(d), cy: y(v), r: 3, fill: l.color }))]));
  const table = h("table", { class: "data" }, h("caption", {}, `${title} (${unit})`),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Date"), lines.map((l) => h("th", { scope: "col" }, l.name)))),
    h("tbody", {}, dates.map((d) => h("tr", {}, h("th", { scope: "row" }, when(d)),
      lines.map((l) => h("td", {}, l.points.filter((p) => p[0] === d).map((p) => p[1]).join(", ")))))));
  return h("figure", { class: "trend-chart" }, h("figcaption", {}, h("strong", {}, title), ` (${unit})`,
    lines.length > 1 ? `; ${lines.map((l) => `${l.name}: ${l.dash ? "dashed" : "solid"} line`).join(", ")}` : ""),
    svg, h("details", {}, h("summary", {}, `${title} as a table`), table));
}

function round(v) { return Math.round(v * 10) / 10; }

// The "Vital signs over time" card of the chart.
export function trendCard(pid) {
  const body = h("div", { class: "trend-grid" }, h("p", { class: "status" }, "Loading…"));
  const box = h("section", { class: "card trend", id: "vitals-trend", "aria-labelledby": "trend-title" },
    h("h2", { id: "trend-title" }, "Vital signs over time"), body);
  (async () => {
    try {
      const b = await get(`/fhir/Observation?patient=${enc(pid)}&category=vital-signs&_sort=-date&_count=200`);
      const ser = seriesFrom((b.entry || []).filter((e) => !e.search || e.search.mode !== "outcome").map((e) => e.resource));
      const charts = [
        ser.weight.length ? lineChart("trend-weight", "Weight", "kg", [{ name: "Weight", points: ser.weight, color: "#1f5fa8" }]) : null,
        ser.bmi.length ? lineChart("trend-bmi", "BMI", "kg/m2", [{ name: "BMI", points: ser.bmi, color: "#1e6b3a" }]) : null,
        ser.systolic.length || ser.diastolic.length ? lineChart("trend-bp", "Blood pressure", "mmHg", [
          { name: "Systolic", points: ser.systolic, color: "#a3231f" },
          { name: "Diastolic", points: ser.diastolic, color: "#1f5fa8", dash: "5 3" }].filter((l) => l.points.length)) : null,
      ].filter(Boolean);
      show(body, charts.length ? charts : h("p", { class: "status" }, "No weight, BMI or blood pressure recorded."));
    } catch (e) {
      show(body, h("p", { class: "form-error", role: "alert" }, e.message));
    }
  })();
  return box;
}
