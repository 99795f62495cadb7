// The JSON API: the fetch helper every request goes through, its ApiError, and the toast that shows a failure.

import { h, RawId } from "./dom.js";

const API = "/playground/api";

export class ApiError extends Error {}

function encode(body) {
  const json = JSON.stringify(body, (_k, v) => (v instanceof RawId ? `@@rawid:${v.id}@@` : v));
  return json.replace(/"@@rawid:(\d+)@@"/g, "$1");
}

export class Api {
  // --- networking ---------------------------------------------------------------------------
  async api(path, body) {
    const opts =
      body === undefined
        ? { cache: "no-store" }
        : { method: "POST", headers: { "Content-Type": "application/json" }, body: encode(body) };
    let res;
    try {
      res = await fetch(API + path, opts);
    } catch {
      throw new ApiError("The playground isn't answering: is it still running?");
    }
    const text = await res.text();
    let data = null;
    try {
      data = JSON.parse(text);
    } catch {
      /* aiohttp's plain-text errors */
    }
    if (!res.ok || (data && data.ok === false)) {
      const message = data?.error || text.replace(/^\d+: /, "") || res.statusText;
      throw new ApiError(message || `HTTP ${res.status}`);
    }
    return data;
  }

  // --- errors ---------------------------------------------------------------------------------
  error(e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!(e instanceof ApiError)) console.warn(e);
    const toasts = document.getElementById("toasts");
    const toast = h(
      "div",
      { class: "toast", role: "alert", "data-testid": "error", title: "Click to close" },
      h("strong", null, "Something went wrong"),
      h("span", null, message),
    );
    toast.addEventListener("click", () => toast.remove());
    toasts.append(toast);
    while (toasts.children.length > 4) toasts.firstChild.remove();
    setTimeout(() => toast.remove(), 8000);
  }
}
