// The chrome around the chat: member switcher, user panel, channel and DM list, and the channel header.

import { h, fill, icon, ICONS } from "./dom.js";
import { avatar } from "./avatar.js";

export const TOPICS = {
  general: "Say hello; replies to commands run here show up here.",
  announcements: "News from the organizers.",
  "lahore-events": "Events in Lahore: RSVP with the buttons on each announcement.",
  "islamabad-events": "Events in Islamabad.",
  "ai-learning": "A learning resource every day at 10:00, and the library: /resource search.",
  mentorship: "Ask for a mentor with /mentee request; matched pairs get a private thread.",
  organizers: "Only organizers see this: what needs their attention.",
};

function initials(name) {
  return name
    .split(/\s+/)
    .map((w) => w[0])
    .join("")
    .slice(0, 3)
    .toUpperCase();
}

export class Sidebar {
  // --- rendering: chrome -----------------------------------------------------------------------
  renderSwitcher() {
    const select = document.querySelector("[data-testid=member-switcher]");
    const people = this.state.members.filter((m) => !m.bot);
    const sig = JSON.stringify(people.map((m) => [m.id, m.name, m.about]));
    if (select.dataset.sig !== sig) {
      fill(select,
        ...people.map((m) =>
          h("option", { value: m.id }, m.about ? `${m.name} — ${m.about}` : m.name),
        ),
      );
      select.dataset.sig = sig;
    }
    select.value = this.me;
    this.renderUserPanel();
  }

  renderUserPanel() {
    const panel = document.getElementById("user-panel");
    const m = this.member(this.me);
    if (!m) return;
    fill(panel,
      avatar(m.id, m.name, false),
      h(
        "div",
        { class: "user-panel-text" },
        h("div", { class: "user-panel-name", style: this.colorOf(m.id) ? `color:${this.colorOf(m.id)}` : null }, m.name),
        h("div", { class: "user-panel-about" }, m.about || m.username),
      ),
    );
  }

  renderSidebar() {
    const s = this.state;
    if (!s) return;
    document.getElementById("guild-name").textContent = s.guild.name;
    document.getElementById("guild-icon").textContent = initials(s.guild.name);
    document.getElementById("guild-icon").title = s.guild.name;
    const list = document.getElementById("channel-list");
    const items = [];
    const texts = s.channels.filter((c) => c.type !== "thread");
    const threads = s.channels.filter((c) => c.type === "thread");
    items.push(h("div", { class: "category" }, icon(ICONS.chevron, "icon cat-chevron", 12), "Text channels"));
    for (const ch of texts) {
      items.push(this.channelItem(ch, false));
      for (const t of threads.filter((t) => t.parent_id === ch.id)) items.push(this.channelItem(t, true));
    }
    for (const t of threads.filter((t) => !this.channels.has(t.parent_id))) items.push(this.channelItem(t, true));
    items.push(h("div", { class: "category dm-category" }, "Direct messages"));
    const dmUnread = s.dm ? this.unread.get(s.dm) : 0;
    items.push(
      h(
        "div",
        {
          class: `channel dm-item${this.isDM ? " active" : ""}${dmUnread ? " unread" : ""}`,
          "data-testid": "dm",
          role: "button",
          tabindex: 0,
          title: `Your direct messages with ${s.bot.name}`,
          onclick: () => this.openDM(),
          onkeydown: (e) => e.key === "Enter" && this.openDM(),
        },
        avatar(s.bot.id, s.bot.name, true, 24),
        h("span", { class: "channel-name" }, s.bot.name),
        h("span", { class: "bot-tag" }, "BOT"),
        dmUnread ? h("span", { class: "badge", title: `${dmUnread} new` }, String(dmUnread)) : null,
      ),
    );
    fill(list, ...items);
  }

  channelItem(ch, thread) {
    const active = !this.isDM && this.view.id === ch.id;
    const unread = this.unread.has(ch.id);
    return h(
      "div",
      {
        class: `channel${thread ? " thread" : ""}${active ? " active" : ""}${unread ? " unread" : ""}`,
        "data-testid": "channel",
        "data-channel-name": ch.name,
        "data-channel-id": ch.id,
        role: "button",
        tabindex: 0,
        onclick: () => this.openChannel(ch.id),
        onkeydown: (e) => e.key === "Enter" && this.openChannel(ch.id),
      },
      thread ? h("span", { class: "thread-spine" }) : icon(ICONS.hash, "icon channel-icon", 20),
      h("span", { class: "channel-name" }, ch.name),
    );
  }

  renderHeader() {
    const header = document.querySelector("[data-testid=channel-header]");
    const s = this.state;
    if (this.isDM) {
      fill(header,
        h("span", { class: "header-at" }, "@"),
        h("span", { class: "header-name" }, s.bot.name),
        h("span", { class: "bot-tag" }, "BOT"),
        h("span", { class: "header-topic" }, "Your tickets, reminders, proposals and feedback requests arrive here"),
      );
      document.title = `@${s.bot.name} · Playground`;
      return;
    }
    const ch = this.channels.get(this.view.id);
    const name = ch ? ch.name : this.view.name;
    const parent = ch?.parent_id ? this.channels.get(ch.parent_id) : null;
    fill(header,
      icon(ch?.type === "thread" ? ICONS.thread : ICONS.hash, "icon header-icon", 24),
      parent ? h("span", { class: "header-parent", onclick: () => this.openChannel(parent.id) }, parent.name, " › ") : null,
      h("span", { class: "header-name" }, name),
      h("span", { class: "header-topic" }, TOPICS[name] || (ch?.type === "thread" ? "A thread" : "")),
    );
    document.title = `#${name} · ${s.guild.name} · Playground`;
  }
}
