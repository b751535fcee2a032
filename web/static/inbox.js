// inbox.js - what waits for the signed-in user (GET /api/inbox): results
// to review (abnormal and critical marked in words and symbols, not by
// colour alone), notes to sign (a link to the visit), messages (marked
// done here) and, for a super-user, colleagues' help requests (who asks,
// with which module, from which screen, their words, when; "Done" answers
// the request with POST /api/help/{id}/answer, which takes it out of every
// super-user's inbox, as "Answered" does on the training home). Writing a
// message to a colleague, about a patient or not, is POST /api/messages.

import { get, post } from "./api.js";
import { h, show, field } from "./dom.js";
import { when, who, enc, errorSlot, statusSlot, textArea } from "./fmt.js";

const FLAG = { abnormal: "! Abnormal", critical: "‼ Critical" };

export async function inboxScreen(main, app) {
  const error = errorSlot("inbox-error");
  const results = h("div", { id: "inbox-results" });
  const notes = h("div", { id: "inbox-notes" });
  const messages = h("div", { id: "inbox-messages" });
  const help = h("div", { id: "inbox-help" });
  const helpTitle = h("h2", { id: "inbox-help-title", hidden: true }, "Help requests");
  const none = (t) => h("p", { class: "status" }, t);

  async function load() {
    error.textContent = "";
    let r;
    try {
      r = await get("/api/inbox");
    } catch (e) {
      error.textContent = e.message;
      return;
    }
    const rs = app.offers("results") ? r.results || [] : [];
    show(results, rs.length ? h("ul", { class: "summary-list" }, rs.map((x) => h("li", { "data-item": x.item },
      h("span", {}, x.flag ? h("strong", { class: `flag-${x.flag === "critical" ? "critical" : "high"} inbox-flag` }, `${FLAG[x.flag] || x.flag} `) : null,
        h("a", { href: `#/results/${enc(x.report)}`, class: "inbox-result" }, `${x.title || "Result"} — ${(x.patient && x.patient.name) || ""}`)),
      h("span", { class: "meta" }, when(x.received))))) : none("No results to review."));
    const ns = r.notes || [];
    show(notes, ns.length ? h("ul", { class: "summary-list" }, ns.map((x) => h("li", { "data-item": x.item },
      h("a", { href: `#/visits/${enc(x.encounter)}` }, `Note for ${(x.patient && x.patient.name) || "a visit"}`),
      h("span", { class: "meta" }, `since ${when(x.since)}`)))) : none("No notes to sign."));
    const ms = r.messages || [];
    show(messages, ms.length ? h("ul", { class: "summary-list" }, ms.map((x) => {
      const rowError = h("span", { class: "form-error", role: "alert" });
      const done = h("button", { type: "button", class: "secondary", "aria-label": `Mark done: ${x.subject || "message"}`,
        onclick: async () => {
          done.disabled = true;
          try {
            await post(`/api/inbox/${enc(x.item)}/done`, {});
            await load();
            app.refreshInbox();
          } catch (e) {
            rowError.textContent = e.message;
            done.disabled = false;
          }
        } }, "Mark done");
      return h("li", { "data-item": x.item, class: "message" },
        h("div", {},
          h("p", { class: "message-subject" }, h("strong", {}, x.subject || "(no subject)"),
            h("span", { class: "meta" }, ` from ${who(x.from)}, ${when(x.sent)}`),
            x.patient ? [" · about ", h("a", { href: `#/patients/${enc(x.patient.id)}` }, x.patient.name || "a patient")] : null),
          h("p", { class: "message-text note-text" }, x.text || "")),
        h("span", {}, done, rowError));
    })) : none("No messages."));
    // Help requests reach super-users only: the section shows when there
    // are some, or were some a moment ago (so "Done" leaves a sentence).
    const hs = r.help || [];
    if (hs.length || !helpTitle.hidden) {
      helpTitle.hidden = false;
      const titles = hs.length ? await moduleTitles() : {};
      show(help, hs.length ? h("ul", { class: "summary-list", "aria-labelledby": "inbox-help-title" }, hs.map((x) => {
        const from = who(x.from);
        const module = titles[x.module] || x.module;
        const rowError = h("span", { class: "form-error", role: "alert" });
        const done = h("button", { type: "button", class: "secondary",
          "aria-label": `Done: mark the request from ${from} answered`,
          onclick: async () => {
            done.disabled = true;
            try {
              await post(`/api/help/${enc(x.request)}/answer`, {});
              await load();
              app.refreshInbox();
            } catch (e) {
              rowError.textContent = e.message;
              done.disabled = false;
            }
          } }, "Done");
        return h("li", { "data-item": x.item, "data-request": x.request, class: "help-request" },
          h("div", {},
            h("p", {}, h("strong", {}, `${from} asks for help with ${module}`),
              h("span", { class: "meta" }, ` · screen ${x.screen} · ${when(x.sent)}`)),
            x.text ? h("p", { class: "message-text note-text" }, x.text) : null),
          h("span", {}, done, rowError));
      })) : none("No help requests."));
    }
  }

  show(main,
    h("section", { class: "card", "aria-labelledby": "inbox-title" },
      h("h1", { id: "inbox-title" }, "Inbox"), error,
      app.offers("results") ? [h("h2", { id: "inbox-results-title" }, "Results to review"), results] : null,
      h("h2", {}, "Notes to sign"), notes,
      h("h2", {}, "Messages"), messages,
      helpTitle, help),
    composeForm(app, load));
  await load();
}

// Module ids to their titles ("eprescribing" -> "E-prescribing"), from
// the super-user directory every signed-in user may read; ids when it
// cannot be read.
async function moduleTitles() {
  try {
    const r = await get("/api/superusers");
    return Object.fromEntries((r.modules || []).map((m) => [m.module, m.title || m.module]));
  } catch {
    return {};
  }
}

function composeForm(app, reload) {
  const to = field("To (username)", { id: "msg-to", maxlength: 64, autocomplete: "off" });
  const patient = field("Patient (record id, optional)", { id: "msg-patient", maxlength: 64, autocomplete: "off" });
  const subject = field("Subject", { id: "msg-subject", maxlength: 200 });
  const text = textArea("Message", { id: "msg-text", maxlength: 5000, rows: 4 });
  const error = errorSlot("msg-error");
  const sent = statusSlot("msg-sent");
  const submit = h("button", { type: "submit" }, "Send message");
  return h("form", { class: "card", id: "compose-form", novalidate: true, "aria-labelledby": "compose-title",
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = sent.textContent = "";
      to.error.textContent = text.error.textContent = "";
      if (!to.input.value.trim()) { to.error.textContent = "Enter the colleague's username."; return; }
      if (!text.input.value.trim()) { text.error.textContent = "Write the message."; return; }
      const b = { to: to.input.value.trim(), subject: subject.input.value.trim(), text: text.input.value.trim() };
      if (patient.input.value.trim()) b.patient = patient.input.value.trim();
      submit.disabled = true;
      try {
        await post("/api/messages", b);
        sent.textContent = `Sent to ${b.to}.`;
        for (const x of [to, patient, subject, text]) x.input.value = "";
        await reload();
        app.refreshInbox();
      } catch (e) {
        error.textContent = e.message;
      } finally {
        submit.disabled = false;
      }
    } },
    h("h2", { id: "compose-title" }, "Write a message"),
    h("div", { class: "form-grid" }, to.row, patient.row), subject.row, text.row, error, sent, submit);
}
