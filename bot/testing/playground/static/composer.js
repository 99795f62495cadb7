// The Composer: the message box itself (typing, picking a command, running it); commands, fields, autocomplete and popup are in composer-*.js.
//
// The message box, which here runs the bot's slash commands the way Discord's does:
// "/" lists the commands (flattened to "/event create"), picking one shows its options
// (required first, optional ones added from a "+" row), choices and members/channels/roles
// are pickers, autocomplete options ask the bot as you type, Enter runs it.
//
// Typing or pasting a whole line works too: /event create title:"Flutter Forward" city:Lahore

import { h, icon, ICONS, debounce, mixin } from "./dom.js";
import { flatten, parseArgs, withReserved, CommandList } from "./composer-commands.js";
import { OptionFields } from "./composer-fields.js";
import { Autocomplete } from "./composer-autocomplete.js";
import { Popup } from "./composer-popup.js";

export { flatten, parseArgs };

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

mixin(Composer, CommandList, OptionFields, Autocomplete, Popup);
