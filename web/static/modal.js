// modal.js - a modal dialog that keeps focus inside it: Tab and Shift+Tab
// cycle through its controls, Escape cancels, and closing returns focus
// to where it was. role=alertdialog for what needs a decision (an alert
// before a prescription, a confirmation before signing).

import { h } from "./dom.js";

// content: nodes to show; returns { el, close } and calls onCancel on
// Escape. The caller adds the buttons inside content.
export function openModal({ id, title, content, onCancel, role = "alertdialog" }) {
  const before = document.activeElement;
  const titleId = `${id}-title`;
  const box = h("div", { class: "modal", id, role, "aria-modal": "true", "aria-labelledby": titleId },
    h("h2", { id: titleId }, title), content);
  const backdrop = h("div", { class: "modal-backdrop" }, box);
  const focusable = () => [...box.querySelectorAll("button, input, textarea, select, a[href], [tabindex='0']")]
    .filter((el) => !el.disabled && !el.hidden);

  function close() {
    backdrop.remove();
    document.removeEventListener("keydown", onKey, true);
    if (before && before.isConnected) before.focus();
  }
  function onKey(ev) {
    if (!backdrop.isConnected) return;
    if (ev.key === "Escape") {
      ev.preventDefault();
      close();
      if (onCancel) onCancel();
    } else if (ev.key === "Tab") {
      const f = focusable();
      if (!f.length) { ev.preventDefault(); return; }
      const i = f.indexOf(document.activeElement);
      if (ev.shiftKey && i <= 0) { ev.preventDefault(); f[f.length - 1].focus(); }
      else if (!ev.shiftKey && (i === -1 || i === f.length - 1)) { ev.preventDefault(); f[0].focus(); }
    }
  }
  document.addEventListener("keydown", onKey, true);
  document.body.append(backdrop);
  const first = focusable()[0];
  (first || box).focus();
  return { el: box, close };
}

// A yes/no question; resolves to the label of the button chosen, or null
// when cancelled.
export function ask({ id, title, message, choices }) {
  return new Promise((resolve) => {
    let m;
    const buttons = choices.map((c, i) => h("button", { type: "button", class: i ? "secondary" : "",
      onclick: () => { m.close(); resolve(c); } }, c));
    const cancel = h("button", { type: "button", class: "secondary", onclick: () => { m.close(); resolve(null); } }, "Cancel");
    m = openModal({ id, title, onCancel: () => resolve(null),
      content: [h("p", { id: `${id}-message` }, message), h("div", { class: "buttons" }, buttons, cancel)] });
    m.el.setAttribute("aria-describedby", `${id}-message`);
  });
}
