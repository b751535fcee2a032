// idle.js - the idle sign-out warning. The server ends a session after its
// idle timeout; a minute before, the app asks whether the user is still
// there. "Stay signed in" touches the session; doing nothing signs out
// here at the same moment the server would, so no screen of patient data
// stays open on an unattended computer.

import { h } from "./dom.js";

const WARN_BEFORE_S = 60;

export function idleWatch(idleSeconds, keepAlive, expire) {
  let warnTimer = 0, endTimer = 0, dialog = null, seconds = idleSeconds;

  function clear() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
  }

  function close() {
    if (dialog) dialog.remove();
    dialog = null;
  }

  function warn() {
    close();
    const stay = h("button", { type: "button", id: "stay-signed-in", onclick: async () => {
      close();
      try { seconds = await keepAlive(); } catch { return; }
      arm();
    } }, "Stay signed in");
    dialog = h("div", { class: "idle-warning", role: "alertdialog", "aria-modal": "true",
                        "aria-labelledby": "idle-title" },
      h("h2", { id: "idle-title" }, "Are you still there?"),
      h("p", {}, `You will be signed out in ${WARN_BEFORE_S} seconds to protect patient information.`),
      stay);
    document.body.append(dialog);
    stay.focus();
  }

  function arm() {
    clear();
    const warnAt = Math.max(0, seconds - WARN_BEFORE_S) * 1000;
    warnTimer = setTimeout(warn, warnAt);
    endTimer = setTimeout(() => { close(); expire(); }, seconds * 1000);
  }

  arm();
  return {
    // Requests to the server reset its clock; so do screens that make them.
    activity() { if (!dialog) arm(); },
    stop() { clear(); close(); },
  };
}
