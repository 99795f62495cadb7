// Shared state: what the page remembers in localStorage, and the App's view of the server (members, channels, where you are).

import { hexColor } from "./dom.js";

export const STORE = {
  member: "pg.member",
  view: "pg.view",
  seen: "pg.seen",
  dismissed: "pg.dismissed",
};

export function load(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

export function save(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* private mode: the choice just isn't remembered */
  }
}

export function bigger(a, b) {
  // Snowflakes as strings: longer is bigger, else compare digit by digit.
  if (a.length !== b.length) return a.length > b.length;
  return a > b;
}

export class State {
  // --- state ------------------------------------------------------------------------------------
  async loadState() {
    const query = this.me ? `?as=${encodeURIComponent(this.me)}` : "";
    let state;
    try {
      state = await this.api(`/state${query}`);
    } catch (e) {
      if (this.me) {
        this.me = null; // a member of an older playground: start as the organizer
        return this.loadState();
      }
      throw e;
    }
    if (this.me && state.me !== String(this.me)) return null; // switched meanwhile
    this.state = state;
    this.me = state.me;
    this.setNow(state.now);
    this.setStatus(state.status);
    this.indexState();
    return state;
  }

  indexState() {
    const s = this.state;
    this.members = new Map(s.members.map((m) => [m.id, m]));
    this.channels = new Map(s.channels.map((c) => [c.id, c]));
    this.ctxVersion = JSON.stringify([s.channels, s.roles, s.members.map((m) => m.roles)]);
  }

  member(id) {
    return this.members?.get(String(id)) || null;
  }

  /** The member's colour: their highest role that has one. */
  colorOf(id) {
    const m = this.member(id);
    if (!m) return null;
    for (const rid of m.roles) {
      const role = this.state.roles[rid];
      if (role && role.color) return hexColor(role.color);
    }
    return null;
  }

  get isDM() {
    return this.view.kind === "dm";
  }

  /** The channel id messages are read from (null: a DM the bot hasn't opened yet). */
  get channelId() {
    return this.isDM ? this.state?.dm || null : this.view.id;
  }

  /** Where commands run: the channel, or "dm" (the API opens the DM if need be). */
  get commandChannel() {
    return this.isDM ? this.state?.dm || "dm" : this.view.id;
  }

  resolveView() {
    const s = this.state;
    if (this.view.kind === "dm") {
      this.view = { kind: "dm" };
      return;
    }
    const byId = this.view.id && this.channels.get(this.view.id);
    const byName = s.channels.find((c) => c.name === this.view.name && c.type === "text");
    const target = byId || byName || s.channels.find((c) => c.name === "general") || s.channels[0];
    this.view = target ? { kind: "channel", id: target.id, name: target.name } : { kind: "dm" };
  }
}
