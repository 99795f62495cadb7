// The composer's popup: showing suggestions, highlighting and hiding them, and the keys of the box and its fields.

import { h, fill } from "./dom.js";

export class Popup {
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

}
