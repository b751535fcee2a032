// dom.js - building the page from data without ever parsing data as HTML.
// Every text goes in through textContent or an attribute, so a patient
// named "<img onerror=…>" is shown as those characters and nothing runs.

// h("button", {type: "submit", onclick: fn}, "Save", child, …)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Replaces the children of el.
export function show(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined));
}

// A labelled input: <label>Text <input …></label> with an error slot after.
export function field(label, attrs) {
  const input = h("input", attrs);
  const error = h("p", { class: "field-error", "aria-live": "polite" });
  const id = attrs.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  error.id = `${id}-error`;
  input.setAttribute("aria-describedby", error.id);
  return { row: h("div", { class: "field" }, h("label", { for: id }, label), input, error), input, error };
}
