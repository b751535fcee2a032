// result.js - reviewing one result (GET /api/results/{id}): each
// observation's value, unit, reference range and flag — the flag in words
// (H high, L low, HH/LL critical) and not by colour alone — and signing
// it off with an optional comment (POST /api/results/{id}/sign-off),
// which takes it out of the inbox.

import { get, post } from "./api.js";
import { h, show } from "./dom.js";
import { when, who, enc, errorSlot, textArea } from "./fmt.js";

const FLAG_TEXT = { H: "H — high", L: "L — low", HH: "HH — critically high", LL: "LL — critically low", N: "normal", "": "" };

export function flagText(flag) { return FLAG_TEXT[flag] ?? flag; }

export async function resultScreen(main, app, id) {
  show(main, h("p", { class: "status", role: "status" }, "Opening the result…"));
  let r;
  try {
    r = await get(`/api/results/${enc(id)}`);
  } catch (e) {
    show(main, h("section", { class: "card" }, h("p", {}, h("a", { href: "#/inbox" }, "← Inbox")),
      h("p", { class: "form-error", role: "alert", id: "result-error" }, e.message)));
    return;
  }
  const p = r.patient || {};
  const range = (o) => (o.low !== undefined && o.low !== null) || (o.high !== undefined && o.high !== null)
    ? `${o.low ?? ""}–${o.high ?? ""}` : "";
  const reviewed = h("div", { id: "result-reviewed", "aria-live": "polite" });
  const showReviewed = (rev) => show(reviewed, rev ? h("p", { class: "signed" },
    `Signed off by ${who(rev.by)} at ${when(rev.at)}`, rev.comment ? ` — ${rev.comment}` : "") : null);
  showReviewed(r.reviewed);
  let signOff = null;
  if (!r.reviewed) {
    const comment = textArea("Comment (optional)", { id: "result-comment", maxlength: 2000, rows: 2 });
    const error = errorSlot("sign-off-error");
    const submit = h("button", { type: "submit", id: "sign-off" }, "Sign off");
    signOff = h("form", { id: "sign-off-form", novalidate: true, "aria-label": "Sign off this result",
      onsubmit: async (ev) => {
        ev.preventDefault();
        error.textContent = "";
        submit.disabled = true;
        const body = comment.input.value.trim() ? { comment: comment.input.value.trim() } : {};
        try {
          const s = await post(`/api/results/${enc(id)}/sign-off`, body);
          showReviewed({ by: { display: app.me.display_name, username: app.me.username }, at: s.reviewed_at, comment: body.comment });
          signOff.remove();
          app.refreshInbox();
        } catch (e) {
          error.textContent = e.message;
          submit.disabled = false;
        }
      } }, comment.row, error, submit);
  }
  show(main, h("section", { class: "card", "aria-labelledby": "result-title" },
    h("p", {}, h("a", { href: "#/inbox" }, "← Inbox"), " · ",
      p.id ? h("a", { href: `#/patients/${enc(p.id)}` }, `Chart of ${p.name || "the patient"}`) : null),
    h("h1", { id: "result-title" }, `${r.title || "Result"}: ${p.name || ""}`),
    h("dl", { class: "facts" }, [["Status", r.status || "—"], ["Issued", when(r.issued) || "—"]]
      .flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("table", { class: "data", id: "observations" },
      h("caption", { class: "sr-only" }, "Observations"),
      h("thead", {}, h("tr", {}, ["Test", "Value", "Unit", "Reference range", "Flag"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, (r.observations || []).map((o) => {
        const abnormal = o.flag && o.flag !== "N";
        const critical = o.flag === "HH" || o.flag === "LL";
        return h("tr", { class: abnormal ? "abnormal" : "" },
          h("th", { scope: "row" }, o.display || o.code),
          h("td", { class: abnormal ? (critical ? "flag-critical" : "flag-high") : "" }, String(o.value ?? "")),
          h("td", {}, o.unit || ""), h("td", {}, range(o)),
          h("td", { class: `obs-flag ${abnormal ? (critical ? "flag-critical" : "flag-high") : ""}` },
            abnormal ? `${critical ? "‼ " : "! "}${flagText(o.flag)}` : flagText(o.flag)));
      }))),
    r.conclusion ? h("p", { id: "result-conclusion" }, h("strong", {}, "Conclusion: "), r.conclusion) : null,
    reviewed, signOff));
}
