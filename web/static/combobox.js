// combobox.js - search as you type with the ARIA combobox pattern: a text
// input (role=combobox) that owns a listbox of options. Arrow keys move
// through the options (aria-activedescendant), Enter picks one, Escape
// closes the list; a mouse click picks too. Used for codes, drugs,
// vaccines and the order catalog: `search(text)` answers
// [{ label, detail?, value }] from the server.

import { h } from "./dom.js";

const TYPE_DELAY_MS = 200;

export function combobox({ id, label, search, onPick, minLength = 2, placeholder }) {
  const listId = `${id}-list`;
  const input = h("input", { id, type: "text", role: "combobox", autocomplete: "off", maxlength: 100,
    "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listId,
    "aria-describedby": `${id}-error`, placeholder });
  const list = h("ul", { id: listId, role: "listbox", class: "listbox", "aria-label": label, hidden: true });
  const error = h("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" });
  let items = [], active = -1, timer = 0, seq = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function mark(i) {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute("aria-selected", String(j === i)));
    if (i >= 0 && list.children[i]) {
      input.setAttribute("aria-activedescendant", list.children[i].id);
      list.children[i].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  }

  function pick(i) {
    const item = items[i];
    if (!item) return;
    close();
    input.value = "";
    onPick(item);
  }

  async function run() {
    const text = input.value.trim();
    const mine = ++seq;
    error.textContent = "";
    if (text.length < minLength) { close(); return; }
    try {
      const found = await search(text);
      if (mine !== seq) return;        // a later keystroke's answer wins
      items = found;
      list.replaceChildren(...found.map((it, i) => h("li", { id: `${id}-opt-${i}`, role: "option",
        "aria-selected": "false", class: "option",
        onmousedown: (ev) => { ev.preventDefault(); pick(i); } },
        h("span", { class: "option-label" }, it.label), it.detail ? h("span", { class: "meta" }, ` ${it.detail}`) : null)));
      if (!found.length) {
        error.textContent = `Nothing found for "${text}".`;
        close();
        return;
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark(-1);
    } catch (e) {
      if (mine === seq) { error.textContent = e.message; close(); }
    }
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, TYPE_DELAY_MS); });
  input.addEventListener("blur", () => setTimeout(close, 0));
  input.addEventListener("keydown", (ev) => {
    const open = !list.hidden && items.length;
    if (ev.key === "ArrowDown") {
      ev.preventDefault();
      if (!open) { run(); return; }
      mark(Math.min(items.length - 1, active + 1));
    } else if (ev.key === "ArrowUp") {
      ev.preventDefault();
      if (open) mark(Math.max(0, active - 1));
    } else if (ev.key === "Enter") {
      if (open) { ev.preventDefault(); pick(active >= 0 ? active : 0); }
    } else if (ev.key === "Escape") {
      if (open) { ev.preventDefault(); ev.stopPropagation(); close(); }
    }
  });

  const row = h("div", { class: "field combo" }, h("label", { for: id }, label), input, list, error);
  return { row, input, error, close };
}
