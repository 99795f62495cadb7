// Discord's flavour of markdown, turned into DOM nodes (never HTML strings).
//
// Blocks: ```code blocks```, > quotes and >>> quote-the-rest, # / ## / ### headers,
// -# subtext, - and 1. lists. Inline: **bold**, *italic* / _italic_, __underline__,
// ~~strike~~, ||spoiler||, `code`, [text](url) masked links, bare and <bare> links,
// <@id> / <@&id> / <#id> mentions, </command:id> command mentions, @everyone / @here,
// <t:EPOCH:STYLE> timestamps and <:custom:emoji> (shown as :name:). Backslash escapes a markup character.
//
// ctx: {user(id) → {name, color}|null, role(id) → {name, color}|null,
//       channel(id) → {name}|null, now() → epoch seconds (the playground's clock),
//       openChannel(id), openLink(url, event), openCommand(path)}

import { h, hexColor } from "./dom.js";

// --- timestamps -----------------------------------------------------------------------------
const FORMATS = {
  t: { hour: "numeric", minute: "2-digit" },
  T: { hour: "numeric", minute: "2-digit", second: "2-digit" },
  d: { year: "numeric", month: "2-digit", day: "2-digit" },
  D: { dateStyle: "long" },
  f: { dateStyle: "long", timeStyle: "short" },
  F: { dateStyle: "full", timeStyle: "short" },
};
const formatters = {};
function formatter(style) {
  if (!formatters[style]) formatters[style] = new Intl.DateTimeFormat(undefined, FORMATS[style]);
  return formatters[style];
}

/** Text of a Discord timestamp, in the viewer's time zone; R relative to `now` (seconds). */
export function formatTimestamp(epoch, style, now) {
  if (style === "R") return relative(epoch, now);
  return formatter(FORMATS[style] ? style : "f").format(new Date(epoch * 1000));
}

const relFmt = new Intl.RelativeTimeFormat(undefined, { numeric: "always" });
export function relative(epoch, now) {
  const diff = epoch - now;
  const abs = Math.abs(diff);
  const steps = [
    [60, 1, "second"],
    [3600, 60, "minute"],
    [86400, 3600, "hour"],
    [86400 * 30, 86400, "day"],
    [86400 * 365, 86400 * 30, "month"],
    [Infinity, 86400 * 365, "year"],
  ];
  for (const [limit, unit, name] of steps) {
    const value = Math.round(diff / unit);
    // "in 60 minutes" reads better as the next unit: round first, then compare.
    if (Math.abs(value) * unit < limit) return relFmt.format(value, name);
  }
  return "";
}

/** Re-render every relative timestamp under root against the playground's clock. */
export function refreshRelative(root, now) {
  for (const el of root.querySelectorAll(".ts[data-style=R]")) {
    const text = relative(Number(el.dataset.ts), now);
    if (el.textContent !== text) el.textContent = text;
  }
}

function timestampNode(epoch, style, ctx) {
  const s = style || "f";
  const full = formatTimestamp(epoch, "F", 0);
  return h(
    "span",
    { class: "ts", "data-ts": epoch, "data-style": s, title: full },
    formatTimestamp(epoch, s, ctx.now()),
  );
}

// --- inline ----------------------------------------------------------------------------------
const SPECIAL = /[\\`[<@*_~|\n]|https?:\/\//g;
const URL_RE = /^https?:\/\/[^\s<]+[^<.,:;"'\])\s]/;

const RULES = [
  // \* → a literal *
  ["escape", /^\\([^0-9A-Za-z\s])/],
  ["code", /^(`+)([\s\S]*?[^`])\1(?!`)/],
  ["user", /^<@!?(\d+)>/],
  ["role", /^<@&(\d+)>/],
  ["channel", /^<#(\d+)>/],
  ["timestamp", /^<t:(-?\d{1,17})(?::([tTdDfFR]))?>/],
  ["emoji", /^<a?:(\w+):(\d+)>/],
  ["command", /^<\/([-_\w]+(?: [-_\w]+){0,2}):(\d+)>/],
  ["autolink", /^<(https?:\/\/[^\s>]+)>/],
  ["link", /^\[((?:\[[^\]]*\]|[^[\]])*?)\]\(\s*<?(https?:\/\/[^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/],
  ["url", URL_RE],
  ["everyone", /^@(everyone|here)\b/],
  ["strong", /^\*\*((?:\\[\s\S]|[^\\])+?)\*\*(?!\*)/],
  ["underline", /^__((?:\\[\s\S]|[^\\])+?)__(?!_)/],
  ["em", /^\*(?=\S)((?:\*\*|\\[\s\S]|\s+(?:\\[\s\S]|[^\s*\\]|\*\*)|[^\s*\\])+?)\*(?!\*)/],
  ["em_", /^_((?:__|\\[\s\S]|[^\\_])+?)_(?![A-Za-z0-9_])/],
  ["strike", /^~~([\s\S]+?)~~/],
  ["spoiler", /^\|\|([\s\S]+?)\|\|/],
  ["br", /^\n/],
];

/** Nodes for one run of inline markdown. */
export function inline(src, ctx, depth = 0) {
  const out = [];
  let text = "";
  const flush = () => {
    if (text) out.push(document.createTextNode(text));
    text = "";
  };
  let pos = 0;
  while (pos < src.length) {
    const rest = src.slice(pos);
    let matched = null;
    for (const [name, re] of RULES) {
      if (name === "em_" && pos > 0 && /[A-Za-z0-9]/.test(src[pos - 1])) continue;
      if (depth > 8 && !["escape", "br"].includes(name)) continue;
      const m = re.exec(rest);
      if (m) {
        matched = [name, m];
        break;
      }
    }
    if (!matched) {
      SPECIAL.lastIndex = pos + 1;
      const next = SPECIAL.exec(src);
      const end = next ? next.index : src.length;
      text += src.slice(pos, end);
      pos = end;
      continue;
    }
    const [name, m] = matched;
    pos += m[0].length;
    if (name === "escape") {
      text += m[1];
      continue;
    }
    flush();
    out.push(node(name, m, ctx, depth));
  }
  flush();
  return out;
}

function node(name, m, ctx, depth) {
  const inner = (s) => inline(s, ctx, depth + 1);
  switch (name) {
    case "code":
      return h("code", { class: "inline-code" }, m[2].replace(/^ (.*) $/, "$1"));
    case "user": {
      const u = ctx.user(m[1]);
      return h(
        "span",
        { class: "mention", "data-user-id": m[1], title: u?.about || null },
        `@${u ? u.name : "unknown-user"}`,
      );
    }
    case "role": {
      const r = ctx.role(m[1]);
      if (!r) return h("span", { class: "mention" }, "@deleted-role");
      const style = r.color
        ? `color:${hexColor(r.color)};background:${hexColor(r.color)}1f`
        : null;
      return h("span", { class: "mention role-mention", style }, `@${r.name}`);
    }
    case "channel": {
      const c = ctx.channel(m[1]);
      if (!c) {
        return h("span", { class: "mention no-access", title: "You can't see this channel" }, "#No Access");
      }
      return h(
        "span",
        {
          class: "mention channel-mention",
          role: "link",
          tabindex: 0,
          onclick: () => ctx.openChannel(m[1]),
        },
        `#${c.name}`,
      );
    }
    case "timestamp":
      return timestampNode(Number(m[1]), m[2], ctx);
    case "emoji":
      return h("span", { class: "custom-emoji" }, `:${m[1]}:`);
    case "command":
      return h(
        "span",
        { class: "mention command-mention", role: "button", tabindex: 0, title: "Put this command in the message box", onclick: () => ctx.openCommand?.(m[1]) },
        `/${m[1]}`,
      );
    case "autolink":
    case "url":
      return linkNode(m[name === "url" ? 0 : 1], [m[name === "url" ? 0 : 1]], ctx);
    case "link":
      return linkNode(m[2], inner(m[1]), ctx);
    case "everyone":
      return h("span", { class: "mention" }, `@${m[1]}`);
    case "strong":
      return h("strong", null, inner(m[1]));
    case "underline":
      return h("u", null, inner(m[1]));
    case "em":
    case "em_":
      return h("em", null, inner(m[1]));
    case "strike":
      return h("s", null, inner(m[1]));
    case "spoiler":
      return h(
        "span",
        {
          class: "spoiler",
          title: "Spoiler: click to show",
          onclick: (e) => e.currentTarget.classList.add("shown"),
        },
        inner(m[1]),
      );
    case "br":
      return h("br");
    default:
      return document.createTextNode(m[0]);
  }
}

function linkNode(url, children, ctx) {
  return h(
    "a",
    {
      href: url,
      target: "_blank",
      rel: "noopener noreferrer",
      title: url,
      onclick: (e) => ctx.openLink(url, e),
    },
    children,
  );
}

// --- blocks ----------------------------------------------------------------------------------
const FENCE = /```(?:([\w+#.-]+)\n)?([\s\S]*?)```/g;

/** A fragment for a whole message (or embed description / field value). */
export function markdown(src, ctx, { blocks = true } = {}) {
  const f = document.createDocumentFragment();
  if (!src) return f;
  if (!blocks) {
    f.append(...inline(src, ctx));
    return f;
  }
  let last = 0;
  FENCE.lastIndex = 0;
  let m;
  while ((m = FENCE.exec(src))) {
    if (m.index > last) f.append(...lines(src.slice(last, m.index), ctx));
    const code = m[2].replace(/^\n/, "").replace(/\n$/, "");
    f.append(h("pre", { class: "code-block", "data-lang": m[1] || null }, h("code", null, code)));
    last = FENCE.lastIndex;
  }
  if (last < src.length) f.append(...lines(src.slice(last), ctx));
  return f;
}

function lines(text, ctx, quoted = false) {
  const out = [];
  const rows = text.split("\n");
  // A code fence eats the newline around it; an empty first/last row is that newline.
  if (rows.length > 1 && rows[0] === "" && out.length === 0) rows.shift();
  if (rows.length > 1 && rows[rows.length - 1] === "") rows.pop();
  let para = [];
  let list = null;
  const flushPara = () => {
    if (para.length) {
      const p = h("div", { class: "md-line" });
      para.forEach((row, i) => {
        if (i) p.append(h("br"));
        p.append(...inline(row, ctx));
      });
      out.push(p);
    }
    para = [];
  };
  const flushList = () => {
    if (list) out.push(list.el);
    list = null;
  };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    let m;
    if (!quoted && (m = /^>>> ?([\s\S]*)$/.exec(row))) {
      flushPara();
      flushList();
      const rest = [m[1], ...rows.slice(i + 1)].join("\n");
      out.push(h("blockquote", null, lines(rest, ctx, true)));
      break;
    }
    if (!quoted && (m = /^> (.*)$/.exec(row))) {
      flushPara();
      flushList();
      const quote = [m[1]];
      while (i + 1 < rows.length && /^> /.test(rows[i + 1])) quote.push(rows[++i].slice(2));
      out.push(h("blockquote", null, lines(quote.join("\n"), ctx, true)));
      continue;
    }
    if ((m = /^(#{1,3}) (.+)$/.exec(row))) {
      flushPara();
      flushList();
      out.push(h(`h${m[1].length + 2}`, { class: "md-h" }, inline(m[2], ctx)));
      continue;
    }
    if ((m = /^-# (.+)$/.exec(row))) {
      flushPara();
      flushList();
      out.push(h("div", { class: "md-subtext" }, inline(m[1], ctx)));
      continue;
    }
    if ((m = /^(\s*)([-*]|\d{1,9}\.) (.+)$/.exec(row))) {
      flushPara();
      const ordered = m[2].endsWith(".");
      if (!list || list.ordered !== ordered) {
        flushList();
        const start = ordered ? parseInt(m[2], 10) : null;
        list = { ordered, el: h(ordered ? "ol" : "ul", { class: "md-list", start }) };
      }
      const depth = Math.min(3, Math.floor(m[1].length / 2));
      list.el.append(h("li", { style: depth ? `margin-left:${depth * 1.2}em` : null }, inline(m[3], ctx)));
      continue;
    }
    flushList();
    para.push(row);
  }
  flushPara();
  flushList();
  return out;
}

/** Plain text of markdown (for reply previews). */
export function plain(src) {
  return (src || "")
    .replace(/<t:(-?\d+)(?::\w)?>/g, (_, t) => new Date(Number(t) * 1000).toLocaleString())
    .replace(/[*_~`|>#]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}
