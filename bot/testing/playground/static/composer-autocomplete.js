// The composer's typing in option fields: hints, moving on at "name:", and the bot's autocomplete suggestions.

import { h } from "./dom.js";
import { withReserved } from "./composer-commands.js";
import { describe } from "./composer-fields.js";

export class Autocomplete {
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

}
