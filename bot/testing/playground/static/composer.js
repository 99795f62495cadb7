// The message box, which here runs the bot's slash commands the way Discord's does:
// "/" lists the commands (flattened to "/event create"), picking one shows its options
// (required first, optional ones added from a "+" row), choices and members/channels/roles
// are pickers, autocomplete options ask the bot as you type, Enter runs it.
//
// Typing or pasting a whole line works too: /event create title:"Flutter Forward" city:Lahore

import { h, fill, append, icon, ICONS, debounce, RawId } from "./dom.js";

const TYPE = { SUB: 1, GROUP: 2, STRING: 3, INTEGER: 4, BOOLEAN: 5, USER: 6, CHANNEL: 7, ROLE: 8, MENTIONABLE: 9, NUMBER: 10, ATTACHMENT: 11 };
const TYPE_NAMES = { 3: "text", 4: "whole number", 5: "True or False", 6: "member", 7: "channel", 8: "role", 9: "member or role", 10: "number", 11: "file" };

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

function withReserved(cmd, options) {
  for (const o of cmd.options) {
    if (RESERVED.includes(o.name) && !(o.name in options)) options[o.name] = null;
  }
  return options;
}

function describe(schema) {
  const bits = [];
  const t = schema.type;
  if (t === TYPE.INTEGER || t === TYPE.NUMBER) {
    const lo = schema.min_value;
    const hi = schema.max_value;
    if (lo !== undefined && hi !== undefined) bits.push(`${lo}–${hi}`);
    else if (lo !== undefined) bits.push(`at least ${lo}`);
    else if (hi !== undefined) bits.push(`at most ${hi}`);
  }
  if (t === TYPE.STRING) {
    if (schema.min_length && schema.max_length) bits.push(`${schema.min_length}–${schema.max_length} characters`);
    else if (schema.max_length) bits.push(`up to ${schema.max_length} characters`);
    else if (schema.min_length) bits.push(`at least ${schema.min_length} characters`);
  }
  return bits.join(", ");
}

export class Composer {
  constructor(app, root) {
    this.app = app;
    this.root = root;
    this.commands = [];
    this.cmd = null; // the picked command
    this.fields = new Map(); // option name → field
    this.popupItems = [];
    this.active = -1;
    this.focused = null; // the option field being edited
    this.acSeq = 0;
    this.sending = false;

    this.popup = h("div", { class: "popup", hidden: true, role: "listbox" });
    this.input = h("input", {
      class: "composer-input",
      "data-testid": "composer",
      type: "text",
      autocomplete: "off",
      spellcheck: "false",
      "aria-label": "Message box: type / for the bot's commands",
    });
    this.fieldsEl = h("span", { class: "cmd-fields" });
    this.sendBtn = h(
      "button",
      { class: "send-btn", "data-testid": "send", type: "button", title: "Run the command (Enter)" },
      icon(ICONS.send, "icon", 18),
      h("span", null, "Send"),
    );
    this.extras = h("div", { class: "cmd-extras", hidden: true });
    this.errorSlot = h("div", { class: "composer-error-slot" });
    root.append(
      this.popup,
      h(
        "div",
        { class: "composer-box" },
        h("div", { class: "cmd-line", onclick: (e) => e.target === e.currentTarget && this.focus() }, this.input, this.fieldsEl),
        this.sendBtn,
      ),
      this.extras,
      this.errorSlot,
    );
    this.input.addEventListener("input", () => this.onInput());
    this.input.addEventListener("keydown", (e) => this.onKey(e, null));
    this.input.addEventListener("focus", () => {
      this.focused = null;
      if (!this.cmd && this.input.value.startsWith("/")) this.showCommands(this.input.value.slice(1));
    });
    this.input.addEventListener("blur", () => this.hideSoon());
    this.sendBtn.addEventListener("click", () => this.submit());
    this.runAutocomplete = debounce((field) => this.autocomplete(field), 150);
  }

  focus() {
    (this.firstEmpty() || this.input).focus();
  }

  // --- context --------------------------------------------------------------------------------
  /** The channel or DM changed (or the state did): which commands, which placeholder. */
  setContext() {
    const app = this.app;
    const s = app.state;
    if (!s) return;
    const list = app.isDM ? s.dm_commands : s.commands;
    this.commands = flatten(list);
    const where = app.isDM ? `@${s.bot.name}` : `#${app.channels.get(app.view.id)?.name || app.view.name}`;
    this.input.placeholder = `Message ${where} — type / for the bot's commands`;
    if (this.cmd && !this.commands.some((c) => c.path === this.cmd.path)) this.reset();
    else if (this.cmd) {
      // Pickers list the member's channels and the server's people: rebuild them.
      for (const f of this.fields.values()) if (f.kind === "select") this.refreshOptions(f);
    }
  }

  reset() {
    this.cmd = null;
    this.fields.clear();
    this.fieldsEl.replaceChildren();
    this.extras.replaceChildren();
    this.extras.hidden = true;
    this.input.value = "";
    this.input.classList.remove("chip");
    this.input.style.width = "";
    this.clearError();
    this.hidePopup();
  }

  // --- typing in the box -------------------------------------------------------------------------
  onInput() {
    this.clearError();
    const v = this.input.value;
    if (this.cmd) {
      if (v.trimEnd() === `/${this.cmd.path}`) return;
      this.leaveCommand();
    }
    if (!v.startsWith("/")) {
      this.hidePopup();
      return;
    }
    const found = this.match(v.slice(1));
    if (found && (found.rest.trim() || /\s$/.test(v))) {
      this.pick(found.cmd, found.rest);
      return;
    }
    this.showCommands(v.slice(1));
  }

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

  // --- a picked command ---------------------------------------------------------------------
  pick(cmd, rest) {
    this.cmd = cmd;
    this.fields.clear();
    this.fieldsEl.replaceChildren();
    this.hidePopup();
    this.clearError();
    this.input.value = `/${cmd.path}`;
    this.input.classList.add("chip");
    this.input.style.width = `${this.textWidth(this.input.value) + 18}px`;
    for (const schema of cmd.options.filter((o) => o.required)) this.addField(schema);
    const problems = [];
    if (rest && rest.trim()) {
      const names = cmd.options.map((o) => o.name);
      const { values, leftover } = parseArgs(rest, names);
      if (leftover) {
        const first = cmd.options.find((o) => o.required && !(o.name in values));
        if (first) values[first.name] = leftover;
      }
      for (const [name, text] of Object.entries(values)) {
        const schema = cmd.options.find((o) => o.name === name);
        const field = this.fields.get(name) || this.addField(schema);
        if (!this.setText(field, text)) problems.push(`${name}: nothing matches “${text}”`);
      }
    }
    this.renderExtras();
    if (problems.length) this.setError(problems.join("; "));
    (this.firstEmpty() || this.input).focus(); // nothing left to fill: Enter runs it
    return problems.length === 0;
  }

  textWidth(text) {
    this.measure ||= document.createElement("canvas").getContext("2d");
    const style = getComputedStyle(this.input);
    this.measure.font = `600 ${style.fontSize} ${style.fontFamily}`;
    return Math.ceil(this.measure.measureText(text).width);
  }

  /** Back to plain typing: the command chip was edited away. */
  leaveCommand() {
    this.cmd = null;
    this.fields.clear();
    this.fieldsEl.replaceChildren();
    this.extras.replaceChildren();
    this.extras.hidden = true;
    this.input.classList.remove("chip");
    this.input.style.width = "";
  }

  renderExtras() {
    const optional = this.cmd.options.filter((o) => !o.required && !this.fields.has(o.name));
    this.extras.replaceChildren();
    this.extras.hidden = !optional.length;
    if (!optional.length) return;
    append(this.extras, [
      h("span", { class: "extras-label" }, "Optional:"),
      optional.map((o) =>
        h(
          "button",
          {
            type: "button",
            class: "add-option",
            "data-testid": "add-option",
            "data-option-name": o.name,
            title: o.description,
            onmousedown: (e) => e.preventDefault(),
            onclick: () => {
              const f = this.addField(o);
              this.renderExtras();
              f.control.focus();
            },
          },
          icon(ICONS.plus, "icon", 12),
          o.name,
        ),
      ),
    ]);
  }

  firstEmpty() {
    if (!this.cmd) return null;
    for (const f of this.fields.values()) {
      if (f.schema.required && this.isEmpty(f)) return f.control;
    }
    return null;
  }

  isEmpty(f) {
    return !String(f.control.value || "").trim();
  }

  addField(schema) {
    const t = schema.type;
    const field = { schema, picked: null, kind: "text" };
    let control;
    const common = {
      class: "opt-control",
      "aria-label": `${schema.name}: ${schema.description}`,
    };
    if (t === TYPE.BOOLEAN || t === TYPE.USER || t === TYPE.CHANNEL || t === TYPE.ROLE || t === TYPE.MENTIONABLE || (schema.choices?.length && !schema.autocomplete)) {
      field.kind = "select";
      control = h("select", common);
      field.control = control;
      this.refreshOptions(field);
      control.addEventListener("change", () => {
        this.clearError();
        field.wrap.classList.remove("invalid");
        const next = this.firstEmpty();
        if (next && next !== control) next.focus();
      });
    } else if (t === TYPE.ATTACHMENT) {
      field.kind = "attachment";
      control = h("input", { ...common, type: "text", disabled: true, placeholder: "files can't be attached here" });
    } else {
      const numeric = (t === TYPE.INTEGER || t === TYPE.NUMBER) && !schema.autocomplete;
      control = h("input", {
        ...common,
        type: numeric ? "number" : "text",
        inputmode: t === TYPE.INTEGER ? "numeric" : t === TYPE.NUMBER ? "decimal" : null,
        step: numeric ? (t === TYPE.INTEGER ? "1" : "any") : null,
        min: schema.min_value ?? null,
        max: schema.max_value ?? null,
        maxlength: schema.max_length ?? null,
        minlength: schema.min_length ?? null,
        autocomplete: "off",
        spellcheck: "false",
      });
      control.addEventListener("input", () => this.onFieldInput(field));
    }
    field.control = control;
    control.addEventListener("focus", () => this.onFieldFocus(field));
    control.addEventListener("blur", () => this.hideSoon());
    control.addEventListener("keydown", (e) => this.onKey(e, field));
    const remove = schema.required
      ? null
      : h(
          "button",
          {
            type: "button",
            class: "opt-remove",
            title: `Remove ${schema.name}`,
            "aria-label": `Remove ${schema.name}`,
            onmousedown: (e) => e.preventDefault(),
            onclick: () => this.removeField(schema.name),
          },
          icon(ICONS.close, "icon", 12),
        );
    field.wrap = h(
      "span",
      {
        class: `opt${schema.required ? " required" : ""}`,
        "data-testid": "option",
        "data-option-name": schema.name,
        title: schema.description,
      },
      h("span", { class: "opt-name", onclick: () => control.focus() }, schema.name),
      control,
      remove,
    );
    this.fields.set(schema.name, field);
    this.fieldsEl.append(field.wrap);
    return field;
  }

  removeField(name) {
    const f = this.fields.get(name);
    if (!f) return;
    f.wrap.remove();
    this.fields.delete(name);
    this.renderExtras();
    this.hidePopup();
    this.focus();
  }

  refreshOptions(field) {
    const s = this.app.state;
    const schema = field.schema;
    const t = schema.type;
    const control = field.control;
    const current = control.value;
    const opts = [h("option", { value: "" }, schema.required ? `pick a ${TYPE_NAMES[t] || "value"}…` : "—")];
    if (schema.choices?.length) {
      for (const c of schema.choices) opts.push(h("option", { value: String(c.value) }, c.name));
    } else if (t === TYPE.BOOLEAN) {
      opts.push(h("option", { value: "true" }, "True"), h("option", { value: "false" }, "False"));
    } else if (t === TYPE.USER || t === TYPE.MENTIONABLE) {
      const ordered = [...s.members.filter((m) => !m.bot), ...s.members.filter((m) => m.bot)];
      const people = ordered.map((m) => h("option", { value: m.id, title: m.about || null }, m.name));
      if (t === TYPE.USER) opts.push(...people);
      else opts.push(h("optgroup", { label: "Members" }, people), h("optgroup", { label: "Roles" }, this.roleOptions()));
    } else if (t === TYPE.ROLE) {
      opts.push(...this.roleOptions());
    } else if (t === TYPE.CHANNEL) {
      const types = schema.channel_types;
      for (const ch of s.channels) {
        const kinds = ch.type === "thread" ? [10, 11, 12] : [0, 5];
        if (types?.length && !kinds.some((k) => types.includes(k))) continue;
        opts.push(h("option", { value: ch.id }, ch.name));
      }
    }
    fill(control, ...opts);
    control.value = current;
    if (control.value !== current) control.value = "";
  }

  roleOptions() {
    return Object.entries(this.app.state.roles).map(([id, r]) => h("option", { value: id }, r.name));
  }

  /** Put typed text into a field (a picker takes the option it names). False: no match. */
  setText(field, text) {
    const c = field.control;
    if (field.kind !== "select") {
      c.value = text;
      field.picked = null;
      return true;
    }
    const t = field.schema.type;
    const want = text.trim().replace(/^[@#]/, "").toLowerCase();
    const id = /^<(?:@[!&]?|#)(\d+)>$/.exec(text.trim())?.[1];
    let value = null;
    if (t === TYPE.BOOLEAN) {
      if (/^(true|yes|on|1)$/i.test(want)) value = "true";
      if (/^(false|no|off|0)$/i.test(want)) value = "false";
    } else {
      for (const o of c.querySelectorAll("option")) {
        if (!o.value) continue;
        const label = o.textContent.replace(/^[@#]/, "").toLowerCase();
        const member = this.app.member(o.value);
        if (o.value === id || o.value.toLowerCase() === want || label === want || member?.username === want) {
          value = o.value;
          break;
        }
      }
    }
    if (value === null) return false;
    c.value = value;
    return true;
  }

  // --- option fields: focus, typing, autocomplete ---------------------------------------------
  onFieldFocus(field) {
    this.focused = field;
    if (field.schema.autocomplete) this.autocomplete(field);
    else this.showHint(field);
  }

  onFieldInput(field) {
    this.clearError();
    field.wrap.classList.remove("invalid");
    field.picked = null;
    // Typing "city:" in a field moves on to that option, as in Discord's box.
    if (this.routeTyped(field)) return;
    if (field.schema.autocomplete) {
      this.acPending = field;
      this.showLoading(field);
      this.runAutocomplete(field);
    } else {
      this.showHint(field);
    }
  }

  /** A field whose text holds `other:` (typed in one go) hands that part on. */
  routeTyped(field) {
    const v = field.control.value;
    const names = this.cmd.options.map((o) => o.name);
    const own = `${field.schema.name}:`;
    if (v === own) {
      field.control.value = ""; // "title:" typed into title: just the value follows
      return false;
    }
    // Only as the colon is typed: a value that merely contains "venue: …" stays as it is.
    const m = new RegExp(`(^|\\s)(${names.map((n) => n.replace(/[-]/g, "\\-")).join("|")}):$`).exec(v);
    if (!m) return false;
    const quoted = (v.slice(0, m.index).match(/"/g) || []).length % 2 === 1;
    if (quoted) return false;
    field.control.value = v.slice(0, m.index).trim().replace(/^"(.*)"$/, "$1");
    const schema = this.cmd.options.find((o) => o.name === m[2]);
    const target = this.fields.get(schema.name) || this.addField(schema);
    this.renderExtras();
    target.control.focus();
    if (target.kind === "text") target.control.select();
    return true;
  }

  showHint(field) {
    const s = field.schema;
    const extra = describe(s);
    this.setPopup(
      h(
        "div",
        { class: "popup-header option-hint" },
        h("span", { class: "hint-name" }, s.name),
        h("span", { class: "hint-desc" }, s.description),
        extra ? h("span", { class: "hint-extra" }, extra) : null,
        s.required ? null : h("span", { class: "hint-extra" }, "optional"),
      ),
      [],
      -1,
    );
  }

  showLoading(field) {
    if (this.focused !== field) return;
    const s = field.schema;
    const header = h("div", { class: "popup-header option-hint" }, h("span", { class: "hint-name" }, s.name), h("span", { class: "hint-desc" }, s.description));
    // The last answer stays in view, dimmed and not highlighted, until the new one comes.
    const keep = this.popupItems.map((it) => ({ el: it.el, pick: it.pick }));
    this.setPopup(header, keep, -1, "Asking the bot…");
    this.popup.classList.add("stale");
  }

  /** The values filled so far, as the API takes them (null when one is not valid yet). */
  collect({ except = null, strict = true } = {}) {
    const options = {};
    const problems = [];
    for (const [name, f] of this.fields) {
      if (name === except) continue;
      const r = this.valueOf(f);
      if (r.empty) continue;
      if (r.error) {
        if (strict) problems.push(r.error);
        continue;
      }
      options[name] = r.value;
    }
    return { options, problems };
  }

  valueOf(f) {
    const s = f.schema;
    const t = s.type;
    const raw = String(f.control.value ?? "");
    let text = raw.trim();
    if (!text) return { empty: true };
    if (f.picked && f.picked.name === raw) return { value: f.picked.value };
    if (f.kind === "select") {
      if (s.choices?.length) {
        const choice = s.choices.find((c) => String(c.value) === raw);
        return choice ? { value: choice.value } : { error: `${s.name}: pick one of the list` };
      }
      if (t === TYPE.BOOLEAN) return { value: raw === "true" };
      return { value: new RawId(raw) };
    }
    if (t === TYPE.INTEGER || t === TYPE.NUMBER) {
      const n = Number(text);
      const whole = t === TYPE.INTEGER;
      if (!Number.isFinite(n) || (whole && !/^[+-]?\d+$/.test(text))) {
        return { error: `${s.name} must be ${whole ? "a whole number" : "a number"}` };
      }
      const range = describe(s);
      if ((s.min_value !== undefined && n < s.min_value) || (s.max_value !== undefined && n > s.max_value)) {
        return { error: `${s.name} must be ${range}` };
      }
      return { value: n };
    }
    if (t === TYPE.STRING) text = text.replace(/^"(.+)"$/, "$1"); // typed as in the tour
    if (s.min_length && text.length < s.min_length) return { error: `${s.name} needs at least ${s.min_length} characters` };
    if (s.max_length && text.length > s.max_length) return { error: `${s.name} takes at most ${s.max_length} characters` };
    return { value: text };
  }

  async autocomplete(field) {
    if (this.focused !== field || !this.cmd) return;
    const seq = ++this.acSeq;
    const app = this.app;
    const { options } = this.collect({ except: field.schema.name, strict: false });
    const header = h(
      "div",
      { class: "popup-header option-hint" },
      h("span", { class: "hint-name" }, field.schema.name),
      h("span", { class: "hint-desc" }, field.schema.description),
    );
    const typed = field.control.value;
    let choices;
    try {
      const res = await app.api("/autocomplete", {
        as: app.me,
        channel: app.commandChannel,
        command: this.cmd.path,
        option: field.schema.name,
        value: typed,
        options: withReserved(this.cmd, options),
      });
      choices = res.choices || [];
    } catch (e) {
      if (seq === this.acSeq) {
        if (this.acPending === field) this.acPending = null;
        if (this.enterAfterLoad?.field === field) this.enterAfterLoad = null;
        if (this.focused === field) this.setPopup(header, [], -1, `No suggestions: ${e.message}`);
      }
      return;
    }
    if (seq !== this.acSeq) return;
    // An answer for text typed over since: shown dimmed, the one for the new text is coming.
    const stale = field.control.value !== typed;
    if (!stale && this.acPending === field) this.acPending = null;
    if (this.focused !== field || document.activeElement !== field.control) return;
    const items = choices.map((c) => ({
      el: h("div", { class: "choice", "data-testid": "option-choice", role: "option", title: String(c.value) }, c.name),
      pick: () => this.pickChoice(field, c),
    }));
    if (stale) {
      this.setPopup(header, items, -1, "Asking the bot…");
      this.popup.classList.add("stale");
      return;
    }
    this.setPopup(header, items, items.length ? 0 : -1, items.length ? null : "No suggestions: type something else, or send what you typed");
    const waiting = this.enterAfterLoad;
    if (waiting?.field === field) {
      // Enter pressed while the bot was still answering meant "take the first" (and a
      // second Enter, "then run it").
      this.enterAfterLoad = null;
      if (items.length) {
        items[0].pick();
        if (waiting.presses > 1 && !this.firstEmpty()) this.submit();
      }
    }
  }

  pickChoice(field, choice) {
    this.acPending = null;
    this.enterAfterLoad = null;
    this.runAutocomplete.cancel();
    field.control.value = choice.name;
    field.picked = { name: choice.name, value: choice.value };
    field.wrap.classList.remove("invalid");
    this.clearError();
    this.hidePopup();
    const next = this.firstEmpty();
    if (next && next !== field.control) next.focus();
    else field.control.focus();
    this.acSeq++;
    // Focus events reopen the popup for the field that now has it; the picked one stays closed.
    if (document.activeElement === field.control) this.hidePopup();
  }

  // --- the popup ----------------------------------------------------------------------------------
  setPopup(header, items, active, note = null) {
    clearTimeout(this.hideTimer);
    this.popup.classList.remove("stale");
    this.popupItems = items;
    this.active = active;
    fill(this.popup,
      header,
      note ? h("div", { class: "popup-note" }, note) : null,
      ...items.map((it, i) => {
        it.el.addEventListener("mousedown", (e) => e.preventDefault());
        it.el.addEventListener("click", () => it.pick());
        it.el.addEventListener("mousemove", () => this.highlight(i, false));
        return it.el;
      }),
    );
    this.popup.hidden = false;
    this.highlight(active, true);
  }

  highlight(i, scroll) {
    this.active = i;
    this.popupItems.forEach((it, j) => it.el.classList.toggle("active", j === i));
    if (scroll && i >= 0 && this.popupItems[i]) this.popupItems[i].el.scrollIntoView({ block: "nearest" });
  }

  hidePopup() {
    clearTimeout(this.hideTimer);
    this.popup.hidden = true;
    this.popupItems = [];
    this.active = -1;
  }

  hideSoon() {
    clearTimeout(this.hideTimer);
    this.hideTimer = setTimeout(() => {
      if (!this.root.contains(document.activeElement)) {
        this.hidePopup();
        this.focused = null;
      }
    }, 150);
  }

  onKey(e, field) {
    const open = !this.popup.hidden && this.popupItems.length > 0;
    if (e.key === "Enter" && field && this.acPending === field) {
      e.preventDefault(); // the suggestions for what was just typed are on their way
      const presses = this.enterAfterLoad?.field === field ? this.enterAfterLoad.presses + 1 : 1;
      this.enterAfterLoad = { field, presses };
      return;
    }
    if (e.key === "ArrowDown" && open) {
      e.preventDefault();
      this.highlight((this.active + 1) % this.popupItems.length, true);
    } else if (e.key === "ArrowUp" && open) {
      e.preventDefault();
      this.highlight((this.active - 1 + this.popupItems.length) % this.popupItems.length, true);
    } else if ((e.key === "Enter" || e.key === "Tab") && open && this.active >= 0 && !e.shiftKey) {
      e.preventDefault();
      const typedWhole = !field && !this.cmd && this.match(this.input.value.slice(1))?.cmd;
      this.popupItems[this.active].pick();
      // Enter on a command typed out in full that needs nothing more: run it.
      if (e.key === "Enter" && typedWhole && this.cmd === typedWhole && !this.firstEmpty()) this.submit();
    } else if (e.key === "Enter") {
      e.preventDefault();
      this.submit();
    } else if (e.key === "Escape") {
      this.hidePopup();
    } else if (e.key === "Backspace" && field && field.kind !== "select" && !field.control.value) {
      // Backspace in an empty optional option removes it, as in Discord.
      if (!field.schema.required) {
        e.preventDefault();
        this.removeField(field.schema.name);
      }
    }
  }

  // --- errors ----------------------------------------------------------------------------------
  setError(message) {
    fill(this.errorSlot, h("div", { class: "composer-error", "data-testid": "composer-error", role: "alert" }, message));
  }

  clearError() {
    if (this.errorSlot.firstChild) this.errorSlot.replaceChildren();
  }

  // --- running it --------------------------------------------------------------------------------
  /** Enter or Send: run the picked command, or make sense of what was typed. */
  async submit() {
    if (this.sending) return;
    if (!this.cmd) {
      const v = this.input.value.trim();
      if (!v) return;
      if (!v.startsWith("/")) {
        this.setError("The playground runs the bot's slash commands: type / and pick one.");
        return;
      }
      const found = this.match(v.slice(1));
      if (!found) {
        const first = v.slice(1).split(/\s+/)[0];
        this.setError(`There is no command /${first} here. Type / to see the commands${this.app.isDM ? " you can use in a DM" : ""}.`);
        this.showCommands(v.slice(1));
        return;
      }
      if (!this.pick(found.cmd, found.rest)) return;
    }
    await this.send();
  }

  async send() {
    const cmd = this.cmd;
    const missing = [];
    for (const schema of cmd.options.filter((o) => o.required)) {
      const f = this.fields.get(schema.name);
      if (!f || this.isEmpty(f)) missing.push(schema);
    }
    for (const f of this.fields.values()) f.wrap.classList.remove("invalid");
    if (missing.length) {
      for (const s of missing) this.fields.get(s.name)?.wrap.classList.add("invalid");
      const names = missing.map((s) => s.name);
      const first = missing[0];
      this.setError(
        missing.length === 1
          ? `Fill in the required option “${first.name}” (${first.description}).`
          : `Fill in the required options ${names.map((n) => `“${n}”`).join(", ")}.`,
      );
      this.fields.get(first.name)?.control.focus();
      return;
    }
    const problems = [];
    const options = {};
    for (const [name, f] of this.fields) {
      const r = this.valueOf(f);
      if (r.empty) continue;
      if (r.error) {
        problems.push(r.error);
        f.wrap.classList.add("invalid");
      } else options[name] = r.value;
    }
    if (problems.length) {
      this.setError(`${problems.join("; ")}.`);
      return;
    }
    const app = this.app;
    this.sending = true;
    this.sendBtn.disabled = true;
    this.root.classList.add("sending");
    this.hidePopup();
    try {
      const res = await app.api("/command", {
        as: app.me,
        channel: app.commandChannel,
        command: cmd.path,
        options: withReserved(cmd, options),
      });
      this.reset();
      this.input.focus();
      if (res.modal) app.openModal(res.modal);
    } catch (e) {
      app.error(e);
    } finally {
      this.sending = false;
      this.sendBtn.disabled = false;
      this.root.classList.remove("sending");
      app.refreshSoon();
    }
  }

  /** Put a command line in the box (the tour's "Fill it in"): parsed, not sent. */
  prefill(line) {
    this.reset();
    this.input.value = line;
    this.onInput();
    if (!this.cmd) this.input.focus();
  }
}
