// The composer's option fields: adding and removing them, pickers and their choices, and reading and checking their values.

import { h, fill, append, icon, ICONS, RawId } from "./dom.js";
import { TYPE, TYPE_NAMES } from "./composer-commands.js";

export function describe(schema) {
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

export class OptionFields {
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

}
