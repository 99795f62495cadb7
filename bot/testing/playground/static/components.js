// Message components: buttons, select menus and components-v2 layouts, and what a click or pick sends to the bot.

import { h, icon, ICONS, hexColor, localUrl, jumpTarget, debounce } from "./dom.js";
import { markdown } from "./markdown.js";
import { openModal } from "./modal.js";

export class Components {
  // --- components ------------------------------------------------------------------------------
  renderComponents(components, m, ctx) {
    const wrap = h("div", { class: "components" });
    for (const c of components) {
      const node = this.renderComponent(c, m, ctx);
      if (node) wrap.append(node);
    }
    return wrap;
  }

  renderComponent(c, m, ctx) {
    switch (c.type) {
      case 1:
        return h("div", { class: "action-row" }, (c.components || []).map((x) => this.renderComponent(x, m, ctx)));
      case 2:
        return this.renderButton(c, m);
      case 3:
      case 5:
      case 6:
      case 7:
      case 8:
        return this.renderSelect(c, m);
      case 9: // section: text beside an accessory (components v2)
        return h(
          "div",
          { class: "cv2-section" },
          h("div", null, (c.components || []).map((x) => this.renderComponent(x, m, ctx))),
          c.accessory ? this.renderComponent(c.accessory, m, ctx) : null,
        );
      case 10:
        return h("div", { class: "cv2-text" }, markdown(c.content || "", ctx));
      case 11: {
        const url = localUrl(c.media?.url || "");
        return url ? h("img", { class: "cv2-thumb", src: url, alt: c.description || "" }) : null;
      }
      case 12:
        return h(
          "div",
          { class: "cv2-gallery" },
          (c.items || []).map((it) => {
            const url = localUrl(it.media?.url || "");
            return url ? h("img", { src: url, alt: it.description || "" }) : null;
          }),
        );
      case 14:
        return h("hr", { class: "cv2-separator" });
      case 17:
        return h(
          "div",
          { class: "cv2-container", style: c.accent_color ? `border-left-color:${hexColor(c.accent_color)}` : null },
          (c.components || []).map((x) => this.renderComponent(x, m, ctx)),
        );
      default:
        return null;
    }
  }

  renderButton(c, m) {
    const styles = { 1: "primary", 2: "secondary", 3: "success", 4: "danger", 5: "link", 6: "premium" };
    const style = styles[c.style] || "secondary";
    const emoji = c.emoji && !c.emoji.id ? c.emoji.name : c.emoji ? `:${c.emoji.name}:` : null;
    const props = {
      class: `btn btn-${style}`,
      "data-testid": "component-button",
      "data-emoji": emoji,
      type: "button",
      disabled: !!c.disabled || c.style === 6,
    };
    if (c.style === 5) {
      const target = jumpTarget(c.url);
      props.title = target ? "Jumps to the message here (opens in Discord)" : c.url;
      if (target) props.class += " jump";
      props.onclick = () => {
        if (target) this.jump(target);
        else window.open(c.url, "_blank", "noopener,noreferrer");
      };
      return h("button", props, c.label || "", icon(ICONS.external, "icon link-icon", 14));
    }
    props.onclick = async (event) => {
      const btn = event.currentTarget;
      btn.disabled = true;
      btn.classList.add("busy");
      try {
        const res = await this.api("/click", { as: this.me, message: m.id, custom_id: c.custom_id });
        if (res.modal) this.openModal(res.modal);
      } catch (e) {
        this.error(e);
      } finally {
        btn.disabled = !!c.disabled;
        btn.classList.remove("busy");
        this.refreshSoon();
      }
    };
    return h("button", props, c.label || "");
  }

  renderSelect(c, m) {
    const multiple = (c.max_values ?? 1) > 1;
    const defaults = new Set((c.default_values || []).map((d) => String(d.id)));
    let options;
    if (c.type === 3) {
      options = (c.options || []).map((o) =>
        h("option", { value: o.value, selected: !!o.default, title: o.description || null }, o.emoji?.name && !o.emoji.id ? `${o.emoji.name} ${o.label}` : o.label),
      );
    } else {
      options = this.entityOptions(c.type, c.channel_types).map(([value, label]) =>
        h("option", { value, selected: defaults.has(value) }, label),
      );
    }
    const placeholder = h("option", { value: "", disabled: true, hidden: true }, c.placeholder || "Make a selection");
    const select = h(
      "select",
      {
        class: "component-select",
        "data-testid": "component-select",
        "data-custom-id": c.custom_id,
        multiple,
        size: multiple ? Math.min(6, options.length) : null,
        disabled: !!c.disabled,
        title: c.placeholder || null,
      },
      multiple ? null : placeholder,
      options,
    );
    if (!multiple && !options.some((o) => o.defaultSelected)) select.value = ""; // the placeholder
    const send = async () => {
      const values = [...select.selectedOptions].map((o) => o.value).filter(Boolean);
      const lo = c.min_values ?? 1;
      if (values.length < lo) return;
      select.disabled = true;
      try {
        const res = await this.api("/select", { as: this.me, message: m.id, custom_id: c.custom_id, values });
        if (res.modal) this.openModal(res.modal);
      } catch (e) {
        this.error(e);
      } finally {
        select.disabled = !!c.disabled;
        this.refreshSoon();
      }
    };
    select.addEventListener("change", multiple ? debounce(send, 700) : send);
    const wrap = h("div", { class: "select-wrap" }, select);
    if (multiple) wrap.append(h("div", { class: "select-hint" }, `Pick ${c.min_values ?? 1}–${c.max_values} (Ctrl/⌘-click for several)`));
    return wrap;
  }

  /** [value, label] pairs for a user (5), role (6), mentionable (7) or channel (8) select. */
  entityOptions(type, channelTypes) {
    const s = this.state;
    const people = [...s.members.filter((mm) => !mm.bot), ...s.members.filter((mm) => mm.bot)];
    const users = () => people.map((mm) => [mm.id, mm.bot ? `${mm.name} (bot)` : mm.name]);
    const roles = () => Object.entries(s.roles).map(([id, r]) => [id, `@${r.name}`]);
    if (type === 5) return users();
    if (type === 6) return roles();
    if (type === 7) return [...users(), ...roles()];
    return s.channels
      .filter((ch) => channelAllowed(ch, channelTypes))
      .map((ch) => [ch.id, ch.type === "thread" ? `${ch.name} (thread)` : `#${ch.name}`]);
  }

  openModal(modal) {
    openModal(this, modal);
  }
}

function channelAllowed(ch, types) {
  if (!types || !types.length) return true;
  const t = ch.type === "thread" ? [10, 11, 12] : [0, 5];
  return t.some((x) => types.includes(x));
}
