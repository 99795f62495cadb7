// Modals (forms the bot opens) as dialogs, like Discord's: title, text inputs (short or
// paragraph, placeholder, required, min/max length, prefilled value), Submit / Cancel.
// Both layouts are read: rows (type 1) of text inputs (type 4), and labels (type 18)
// wrapping one component, with text displays (type 10) in between.

import { h, icon, ICONS } from "./dom.js";
import { markdown } from "./markdown.js";

let current = null;

export function closeModal() {
  if (!current) return;
  current.backdrop.remove();
  document.removeEventListener("keydown", current.onKey, true);
  current.restoreFocus?.focus?.();
  current = null;
}

export function openModal(app, modal) {
  closeModal();
  const as = app.me; // the form belongs to whoever opened it, even after a switch
  const fields = []; // {id, kind, control, required, min, label, error}
  const body = h("div", { class: "modal-body" });
  const ctx = app.mdContext();

  const addField = (c, label, description) => {
    const id = c.custom_id;
    const required = c.type === 4 ? c.required !== false : (c.min_values ?? 1) > 0 && c.required !== false;
    const error = h("div", { class: "field-error", role: "alert" });
    let control;
    let counter = null;
    if (c.type === 4) {
      const props = {
        id: `field-${id}`,
        name: id,
        placeholder: c.placeholder || null,
        maxlength: c.max_length ?? null,
        minlength: c.min_length ?? null,
        required,
        autocomplete: "off",
      };
      control = c.style === 2 ? h("textarea", { ...props, rows: 4 }) : h("input", { ...props, type: "text" });
      control.value = c.value || "";
      if (c.max_length && c.style === 2) {
        counter = h("div", { class: "char-counter" });
        const update = () => (counter.textContent = `${control.value.length}/${c.max_length}`);
        control.addEventListener("input", update);
        update();
      }
    } else if ([3, 5, 6, 7, 8].includes(c.type)) {
      const multiple = (c.max_values ?? 1) > 1;
      let options;
      if (c.type === 3) {
        options = (c.options || []).map((o) => h("option", { value: o.value, selected: !!o.default }, o.label));
      } else {
        options = app.entityOptions(c.type, c.channel_types).map(([v, l]) => h("option", { value: v }, l));
      }
      control = h(
        "select",
        { id: `field-${id}`, name: id, multiple, size: multiple ? Math.min(6, options.length) : null },
        multiple ? null : h("option", { value: "" }, c.placeholder || "Make a selection"),
        options,
      );
      if (!multiple && !options.some((o) => o.defaultSelected)) control.value = "";
    } else {
      return; // a component this page doesn't know: left out
    }
    control.addEventListener("input", () => {
      error.textContent = "";
      wrap.classList.remove("invalid");
    });
    const wrap = h(
      "div",
      { class: "modal-field", "data-testid": "modal-field", "data-field-id": id },
      h(
        "label",
        { for: `field-${id}`, class: "modal-label" },
        label || "",
        required ? h("span", { class: "required-star", "aria-label": "required" }, " *") : null,
      ),
      description ? h("div", { class: "modal-description" }, description) : null,
      control,
      counter,
      error,
    );
    fields.push({ id, c, control, required, error, wrap, label: label || id });
    body.append(wrap);
  };

  const walk = (components) => {
    for (const c of components || []) {
      if (c.type === 1) walk(c.components);
      else if (c.type === 18 && c.component) addField(c.component, c.label, c.description);
      else if (c.type === 10) body.append(h("div", { class: "modal-text" }, markdown(c.content || "", ctx)));
      else if (c.type === 4) addField(c, c.label, null);
      else if ([3, 5, 6, 7, 8].includes(c.type)) addField(c, c.placeholder || c.custom_id, null);
    }
  };
  walk(modal.components);

  const submit = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "modal-submit" }, "Submit");
  const cancel = h("button", { type: "button", class: "btn-plain", "data-testid": "modal-cancel", onclick: () => closeModal() }, "Cancel");
  const form = h(
    "form",
    { class: "modal", "data-testid": "modal", role: "dialog", "aria-modal": "true", "aria-labelledby": "modal-title", novalidate: true },
    h(
      "header",
      { class: "modal-header" },
      h("div", { class: "modal-app" }, h("span", { class: "modal-app-icon" }, icon(ICONS.bot, "icon", 14)), app.state?.bot.name || ""),
      h("h2", { id: "modal-title", "data-testid": "modal-title" }, modal.title || ""),
      h("button", { type: "button", class: "modal-close", title: "Close", "aria-label": "Close", onclick: () => closeModal() }, icon(ICONS.close, "icon", 20)),
    ),
    body,
    h("footer", { class: "modal-footer" }, cancel, submit),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const values = {};
    let firstBad = null;
    for (const f of fields) {
      let value;
      if (f.control.tagName === "SELECT") {
        value = [...f.control.selectedOptions].map((o) => o.value).filter(Boolean);
        if (f.required && !value.length) bad(f, "Pick something here.");
      } else {
        value = f.control.value;
        const min = f.c.min_length;
        if (f.required && !value.trim()) bad(f, "This field is required.");
        else if (value && min && value.length < min) bad(f, `Must be at least ${min} characters long.`);
      }
      values[f.id] = value;
    }
    function bad(f, message) {
      f.error.textContent = message;
      f.wrap.classList.add("invalid");
      firstBad ||= f;
    }
    if (firstBad) {
      firstBad.control.focus();
      return;
    }
    submit.disabled = true;
    submit.classList.add("busy");
    try {
      const res = await app.api("/modal", { as, custom_id: modal.custom_id, values });
      closeModal();
      if (res.modal) openModal(app, res.modal);
    } catch (err) {
      app.error(err);
      submit.disabled = false;
      submit.classList.remove("busy");
    } finally {
      app.refreshSoon();
    }
  });
  const backdrop = h("div", { class: "modal-backdrop" }, form);
  backdrop.addEventListener("mousedown", (e) => {
    if (e.target === backdrop) closeModal();
  });
  const onKey = (e) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      closeModal();
    }
  };
  document.addEventListener("keydown", onKey, true);
  current = { backdrop, onKey, restoreFocus: document.activeElement };
  document.body.append(backdrop);
  (fields[0]?.control || submit).focus();
}
