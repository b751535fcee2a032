// api.js - talking to the server: JSON in and out, the session cookie, the
// CSRF token on every request that changes something, and errors turned
// into sentences a person can read (the server's own message when it has
// one). The CSRF token is kept for the tab (sessionStorage): it is not
// patient data and is useless without the HttpOnly cookie. Paths are
// written as /api/… and /fhir/…; under /training/ they go to the training
// environment's /training/api/… and /training/fhir/… (env.js).

import { apiPath } from "./env.js";

const CSRF_KEY = "stagewise.csrf";

export class ApiError extends Error {
  constructor(status, code, message, details, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || [];
    this.body = body || null;     // the whole answer, for members beside "error" (alerts)
  }
}

let onSignedOut = () => {};
export function whenSignedOut(fn) { onSignedOut = fn; }

// Every answered request resets the server's idle clock, so the app's
// idle warning starts again too (a long note autosaving is activity).
let onActive = () => {};
export function whenActive(fn) { onActive = fn; }

export function setCsrf(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

// The message of an /api error body or a FHIR OperationOutcome.
function messageOf(status, body) {
  if (body && body.error && body.error.message) return [body.error.code, body.error.message, body.error.details];
  if (body && body.resourceType === "OperationOutcome" && body.issue && body.issue.length) {
    const texts = body.issue.map((i) => i.diagnostics || (i.details && i.details.text) || i.code);
    return [body.issue[0].code, texts.join("; "), body.issue];
  }
  if (status === 0) return ["network", "The server could not be reached. Check the connection and try again.", []];
  return ["http", `The server answered ${status}.`, []];
}

// headers: extra request headers (If-Match on a FHIR update).
export async function request(method, path, body, { contentType = "application/json", signedOutOk = false, headers: extra = {} } = {}) {
  const headers = { Accept: path.startsWith("/fhir") ? "application/fhir+json" : "application/json", ...extra };
  if (body !== undefined) headers["Content-Type"] = contentType;
  if (method !== "GET" && method !== "HEAD") {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) headers["X-CSRF-Token"] = csrf;
  }
  let res;
  try {
    res = await fetch(apiPath(path), {
      method, headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  } catch {
    const [code, message] = messageOf(0, null);
    throw new ApiError(0, code, message);
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const [code, message, details] = messageOf(res.status, data);
    if (res.status === 401 && !signedOutOk) onSignedOut(message);
    throw new ApiError(res.status, code, message, details, data);
  }
  onActive();
  return data;
}

export const get = (path, opts) => request("GET", path, undefined, opts);
export const post = (path, body, opts) => request("POST", path, body, opts);
export const put = (path, body, opts) => request("PUT", path, body, opts);
export const del = (path, opts) => request("DELETE", path, undefined, opts);
