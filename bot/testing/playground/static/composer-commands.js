// The composer's commands: the bot's command list flattened, typed lines parsed into options, and the "/" command popup.

import { h, icon, ICONS } from "./dom.js";

export const TYPE = { SUB: 1, GROUP: 2, STRING: 3, INTEGER: 4, BOOLEAN: 5, USER: 6, CHANNEL: 7, ROLE: 8, MENTIONABLE: 9, NUMBER: 10, ATTACHMENT: 11 };
export const TYPE_NAMES = { 3: "text", 4: "whole number", 5: "True or False", 6: "member", 7: "channel", 8: "role", 9: "member or role", 10: "number", 11: "file" };

/** Every runnable command as {path: "event create", description, options}. */
export function flatten(commands) {
  const out = [];
  for (const c of commands || []) {
    if ((c.type || 1) !== 1) continue;
    const subs = (c.options || []).filter((o) => o.type === TYPE.SUB || o.type === TYPE.GROUP);
    if (!subs.length) {
      out.push({ path: c.name, description: c.description, options: c.options || [] });
      continue;
    }
    for (const s of subs) {
      if (s.type === TYPE.SUB) {
        out.push({ path: `${c.name} ${s.name}`, description: s.description, options: s.options || [] });
      } else {
        for (const ss of s.options || []) {
          out.push({ path: `${c.name} ${s.name} ${ss.name}`, description: ss.description, options: ss.options || [] });
        }
      }
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Split `title:"Flutter Forward" city:Lahore` into {title: "Flutter Forward", city: "Lahore"}. */
export function parseArgs(text, names) {
  const values = {};
  const known = [...names].sort((a, b) => b.length - a.length);
  const keyAt = (i) => {
    for (const n of known) {
      if (text.startsWith(`${n}:`, i) && (i === 0 || /\s/.test(text[i - 1]))) return n;
    }
    return null;
  };
  let i = 0;
  let leftover = "";
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const key = keyAt(i);
    if (!key) {
      // Text before any option: keep it (it is what a first option would take).
      let j = i;
      while (j < text.length && !keyAt(j)) j++;
      leftover += text.slice(i, j).trim();
      i = j;
      continue;
    }
    i += key.length + 1;
    while (i < text.length && text[i] === " ") i++;
    let value;
    const quote = { '"': '"', "“": "”", "'": "'" }[text[i]];
    if (quote) {
      const end = text.indexOf(quote, i + 1);
      if (end === -1) {
        value = text.slice(i + 1);
        i = text.length;
      } else {
        value = text.slice(i + 1, end);
        i = end + 1;
      }
    } else {
      let j = i;
      while (j < text.length && !(/\s/.test(text[j - 1] || "") && keyAt(j))) j++;
      value = text.slice(i, j).trim();
      i = j;
    }
    values[key] = value;
  }
  return { values, leftover };
}

// Option names the fake's helpers also use as keywords (where to send it): an unfilled one
// goes as null, which the fake reads as "not given" rather than as a clash.
const RESERVED = ["channel", "guild", "options", "locale", "wait", "timeout", "dm"];

export function withReserved(cmd, options) {
  for (const o of cmd.options) {
    if (RESERVED.includes(o.name) && !(o.name in options)) options[o.name] = null;
  }
  return options;
}

export class CommandList {
  /** The command a typed line starts with (longest path first), and what follows it. */
  match(text) {
    const t = text.replace(/^\s+/, "");
    let best = null;
    for (const c of this.commands) {
      if (t === c.path || t.startsWith(`${c.path} `)) {
        if (!best || c.path.length > best.path.length) best = c;
      }
    }
    return best ? { cmd: best, rest: t.slice(best.path.length) } : null;
  }

  showCommands(query) {
    const q = query.trim().toLowerCase().replace(/\s+/g, " ");
    const scored = [];
    for (const c of this.commands) {
      const p = c.path.toLowerCase();
      let score = null;
      if (!q || p.startsWith(q)) score = 0;
      else if (p.split(" ").some((w) => w.startsWith(q))) score = 1;
      else if (p.includes(q)) score = 2;
      else if (q.split(" ").every((w) => p.includes(w))) score = 3;
      else if (c.description.toLowerCase().includes(q)) score = 4;
      if (score !== null) scored.push([score, c]);
    }
    scored.sort((a, b) => a[0] - b[0] || a[1].path.localeCompare(b[1].path));
    const header = h(
      "div",
      { class: "popup-header" },
      scored.length ? `Commands matching /${q}` : `No command matches /${q}`,
    );
    const items = scored.map(([, c]) => ({
      el: h(
        "div",
        { class: "suggestion", "data-testid": "command-suggestion", "data-command": c.path, role: "option" },
        h("div", { class: "sugg-icon" }, icon(ICONS.slash, "icon", 16)),
        h("div", { class: "sugg-main" }, h("div", { class: "sugg-name" }, `/${c.path}`), h("div", { class: "sugg-desc" }, c.description)),
        h("div", { class: "sugg-app" }, this.app.state?.bot.name || ""),
      ),
      pick: () => this.pick(c, ""),
    }));
    this.setPopup(q ? header : h("div", { class: "popup-header" }, `${this.app.state?.bot.name || "Bot"}'s commands`), items, 0);
  }
}
