// signin.js - the sign-in screen: username and password, then a one-time
// code when the account has multi-factor sign-in. The server's answer is
// the same sentence for every refusal, shown next to the form.

import { post, setCsrf } from "./api.js";
import { h, show, field } from "./dom.js";

export function signInScreen(main, app, message) {
  const user = field("Username", { name: "username", autocomplete: "username", required: true, maxlength: 64 });
  const pass = field("Password", { name: "password", type: "password", autocomplete: "current-password", required: true, maxlength: 128 });
  const code = field("One-time code", { name: "totp", autocomplete: "one-time-code", inputmode: "numeric", maxlength: 32 });
  code.row.hidden = true;
  const error = h("p", { class: "form-error", role: "alert", id: "signin-error" });
  const info = h("p", { class: "form-info", role: "status" }, message || "");
  const submit = h("button", { type: "submit" }, "Sign in");

  const form = h("form", { class: "card signin", "aria-labelledby": "signin-title", novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      if (!user.input.value || !pass.input.value) {
        error.textContent = "Enter your username and password.";
        return;
      }
      submit.disabled = true;
      const body = { username: user.input.value, password: pass.input.value };
      if (!code.row.hidden && code.input.value) body.totp = code.input.value;
      try {
        const s = await post("/api/session", body, { signedOutOk: true });
        setCsrf(s.csrf_token);
        pass.input.value = "";
        await app.signedIn(s.user, s.idle_timeout_seconds);
      } catch (e) {
        if (e.code === "mfa_required") {
          code.row.hidden = false;
          code.input.focus();
        }
        error.textContent = e.message;
      } finally {
        submit.disabled = false;
      }
    } },
    h("h1", { id: "signin-title" }, "Sign in to Stagewise"),
    info, user.row, pass.row, code.row, error, submit);
  show(main, form);
  user.input.focus();
}
