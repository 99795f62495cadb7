// Small DOM helpers: every node the page shows is built with h(), never from HTML strings,
// so nothing a member or the bot typed can turn into markup.

/**
 * h("div", {class: "x", "data-testid": "y", onclick: fn}, child, [children], "text")
 * Props: class, style (string), on<event> (listener), boolean true → empty attribute,
 * false/null/undefined → left out; everything else becomes an attribute.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") {
        el.addEventListener(key.slice(2), value);
      } else if (key === "value" && "value" in el) {
        el.value = value;
      } else if (value === true) {
        el.setAttribute(key, "");
      } else {
        el.setAttribute(key, String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace el's children (null/false children are skipped, as in h()). */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A fragment of the given children. */
export function frag(...children) {
  return append(document.createDocumentFragment(), children);
}

/** An inline SVG icon from a path (24×24 view box). */
export function icon(path, cls = "icon", size = 16) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("class", cls);
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("fill", "currentColor");
  p.setAttribute("d", path);
  svg.append(p);
  return svg;
}

export const ICONS = {
  hash: "M5.89 21a.5.5 0 0 1-.5-.59L6 17H2.6a.5.5 0 0 1-.5-.59l.18-1a.5.5 0 0 1 .5-.41h3.57l1.06-6H4a.5.5 0 0 1-.5-.59l.18-1A.5.5 0 0 1 4.18 7h3.58l.64-3.59A.5.5 0 0 1 8.89 3h.98a.5.5 0 0 1 .5.59L9.76 7h6l.64-3.59a.5.5 0 0 1 .49-.41h.98a.5.5 0 0 1 .5.59L17.76 7h3.4a.5.5 0 0 1 .5.59l-.18 1a.5.5 0 0 1-.49.41h-3.58l-1.06 6h3.4a.5.5 0 0 1 .5.59l-.18 1a.5.5 0 0 1-.49.41H16l-.64 3.59a.5.5 0 0 1-.49.41h-.98a.5.5 0 0 1-.5-.59L14 17H8l-.64 3.59a.5.5 0 0 1-.49.41h-.98Zm3.52-12-1.06 6h6l1.06-6h-6Z",
  thread: "M5.43 21a.5.5 0 0 1-.5-.59L5.5 17H2.1a.5.5 0 0 1-.5-.59l.18-1a.5.5 0 0 1 .5-.41h3.57l1.06-6H3.5a.5.5 0 0 1-.5-.59l.18-1A.5.5 0 0 1 3.68 7h3.58l.64-3.59A.5.5 0 0 1 8.39 3h.98a.5.5 0 0 1 .5.59L9.26 7H13v2H8.91l-1.06 6H12v2H7.5l-.64 3.59a.5.5 0 0 1-.49.41h-.94ZM15 11h7v2h-7v-2Zm0 4h7v2h-7v-2Zm0-8h7v2h-7V7Z",
  eye: "M15.56 11.77c.2-.1.44.02.44.23a4 4 0 1 1-4-4c.21 0 .33.24.23.44a2.5 2.5 0 0 0 3.32 3.32ZM12 4C6.48 4 2.18 7.96 1.15 11.56a1.6 1.6 0 0 0 0 .88C2.18 16.04 6.48 20 12 20s9.82-3.96 10.85-7.56a1.6 1.6 0 0 0 0-.88C21.82 7.96 17.52 4 12 4Zm0 14a6 6 0 1 1 0-12 6 6 0 0 1 0 12Z",
  reply: "M2.3 7.3a1 1 0 0 0 0 1.4l5 5a1 1 0 0 0 1.4-1.4L5.42 9H11a7 7 0 0 1 7 7v4a1 1 0 1 0 2 0v-4a9 9 0 0 0-9-9H5.41l3.3-3.3a1 1 0 0 0-1.42-1.4l-5 5Z",
  external: "M15 2a1 1 0 0 1 1-1h6a1 1 0 0 1 1 1v6a1 1 0 1 1-2 0V4.41l-4.3 4.3a1 1 0 1 1-1.4-1.42L19.58 3H16a1 1 0 0 1-1-1ZM5 4a3 3 0 0 0-3 3v12a3 3 0 0 0 3 3h12a3 3 0 0 0 3-3v-6a1 1 0 1 0-2 0v6a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h6a1 1 0 1 0 0-2H5Z",
  file: "M6 2a3 3 0 0 0-3 3v14a3 3 0 0 0 3 3h12a3 3 0 0 0 3-3V9.24a3 3 0 0 0-.88-2.12l-4.24-4.24A3 3 0 0 0 13.76 2H6Zm7 1.5V8a1 1 0 0 0 1 1h4.5L13 3.5ZM7 13a1 1 0 0 1 1-1h8a1 1 0 1 1 0 2H8a1 1 0 0 1-1-1Zm1 3a1 1 0 1 0 0 2h5a1 1 0 1 0 0-2H8Z",
  close: "M17.3 18.7a1 1 0 0 0 1.4-1.4L13.42 12l5.3-5.3a1 1 0 0 0-1.42-1.4L12 10.58l-5.3-5.3a1 1 0 0 0-1.4 1.42L10.58 12l-5.3 5.3a1 1 0 1 0 1.42 1.4L12 13.42l5.3 5.3Z",
  chevron: "M5.3 9.3a1 1 0 0 1 1.4 0l5.3 5.29 5.3-5.3a1 1 0 1 1 1.4 1.42l-6 6a1 1 0 0 1-1.4 0l-6-6a1 1 0 0 1 0-1.42Z",
  clock: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16Zm-1 3v5.41l3.3 3.3 1.4-1.42-2.7-2.7V7h-2Z",
  send: "M6.6 10.02 14 11.4a.6.6 0 0 1 0 1.18L6.6 14l-2.94 5.87a1.48 1.48 0 0 0 1.99 1.98l17.03-8.52a1.48 1.48 0 0 0 0-2.64L5.65 2.16a1.48 1.48 0 0 0-1.99 1.98l2.94 5.88Z",
  bot: "M12 2a2 2 0 0 1 1 3.73V7h4a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3v-8a3 3 0 0 1 3-3h4V5.73A2 2 0 0 1 12 2ZM9 12.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3Zm6 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3ZM1 12a1 1 0 0 1 2 0v3a1 1 0 1 1-2 0v-3Zm21-1a1 1 0 0 0-1 1v3a1 1 0 1 0 2 0v-3a1 1 0 0 0-1-1Z",
  slash: "M15.9 2.56a1 1 0 0 1 .54 1.3l-7 17a1 1 0 1 1-1.85-.76l7-17a1 1 0 0 1 1.3-.54Z",
  plus: "M13 5a1 1 0 1 0-2 0v6H5a1 1 0 1 0 0 2h6v6a1 1 0 1 0 2 0v-6h6a1 1 0 1 0 0-2h-6V5Z",
  map: "M3 5.4a1 1 0 0 1 .6-.92l5-2.2a1 1 0 0 1 .8 0l5.2 2.28 4.6-2.02A1 1 0 0 1 20.6 3.5v15.1a1 1 0 0 1-.6.92l-5 2.2a1 1 0 0 1-.8 0L9 19.44l-4.6 2.02A1 1 0 0 1 3 20.54V5.4Zm6 .12v12.2l6 2.66V8.2L9 5.52Z",
};

/** Hex colour (#rrggbb) of a Discord integer colour. */
export function hexColor(n) {
  return "#" + Number(n || 0).toString(16).padStart(6, "0");
}

/** Human file size, like Discord's: 326 bytes, 1.24 KB, 3.1 MB. */
export function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ["KB", "MB", "GB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** A same-origin path for a URL the fake handed out (its port may differ after a restart). */
export function localUrl(url) {
  try {
    const u = new URL(url, location.href);
    if (u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.origin === location.origin) {
      return u.pathname + u.search;
    }
  } catch {
    /* not a URL */
  }
  return null;
}

/** {guild, channel, message} of a discord.com jump link, else null. */
export function jumpTarget(url) {
  const m = /^https?:\/\/(?:\w+\.)?discord(?:app)?\.com\/channels\/(\d+|@me)\/(\d+)(?:\/(\d+))?/.exec(
    url || "",
  );
  return m ? { guild: m[1], channel: m[2], message: m[3] || null } : null;
}

export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

/** An id sent as a JSON number without passing through a JS number (snowflakes > 2^53). */
export class RawId {
  constructor(id) {
    this.id = String(id);
  }
}

/**
 * One class written over several modules: copy the methods and getters of each `sources`
 * class onto `target`'s prototype (a name defined twice is a mistake, and throws).
 */
export function mixin(target, ...sources) {
  for (const source of sources) {
    for (const [name, desc] of Object.entries(Object.getOwnPropertyDescriptors(source.prototype))) {
      if (name === "constructor") continue;
      if (Object.prototype.hasOwnProperty.call(target.prototype, name)) {
        throw new Error(`${target.name}.${name} is defined twice (${source.name})`);
      }
      Object.defineProperty(target.prototype, name, desc);
    }
  }
}
