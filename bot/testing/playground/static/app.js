// The App: its fields and start-up; its methods come from one module per area (api, state, live, clock, navigation, sidebar, messages, embeds, components).
//
// The playground page: a Discord-like client for the fake Discord's JSON API (api.py).
// Everything a member does (commands, clicks, picks, forms) goes to the real bot as an
// interaction; what the bot posts, edits or deletes comes back through /playground/ws.

import { debounce, mixin } from "./dom.js";
import { Composer } from "./composer.js";
import { Tour } from "./tour.js";
import { Api } from "./api.js";
import { STORE, load, State } from "./state.js";
import { Live } from "./live.js";
import { Clock } from "./clock.js";
import { Navigation } from "./navigation.js";
import { Sidebar } from "./sidebar.js";
import { Messages } from "./messages.js";
import { Embeds } from "./embeds.js";
import { Components } from "./components.js";

export { ApiError } from "./api.js";
export { avatar } from "./avatar.js";

// --- the app ---------------------------------------------------------------------------------
class App {
  constructor() {
    this.state = null;
    this.me = load(STORE.member, null);
    this.view = load(STORE.view, { kind: "channel", name: "lahore-events" });
    this.status = "starting";
    this.connected = false;
    this.clock = { now: Date.now() / 1000, perf: performance.now() };
    this.messages = [];
    this.nodes = new Map(); // message id → {sig, el}
    this.seen = load(STORE.seen, {}); // member → {channel id → last message id seen}
    this.unread = new Map(); // channel id → count (DM) or true (channel)
    this.dismissed = new Set(load(STORE.dismissed, []));
    this.travelBusy = false;
    this.seq = 0;
    this.pendingJump = null;
    this.firstRender = true;
    this.refreshSoon = debounce(() => this.refresh(), 60);
    this.refreshUnreadSoon = debounce(() => this.refreshUnread(), 400);
  }

  // --- start ------------------------------------------------------------------------------------
  async start() {
    document.querySelector("[data-testid=member-switcher]").addEventListener("change", (e) => {
      this.switchMember(e.target.value);
    });
    for (const btn of document.querySelectorAll(".travel button")) {
      btn.addEventListener("click", () => this.travel(btn.dataset.to));
    }
    this.composer = new Composer(this, document.getElementById("composer"));
    this.tour = new Tour(this);
    window.addEventListener("unhandledrejection", (e) => {
      e.preventDefault();
      this.error(e.reason);
    });
    window.addEventListener("error", (e) => {
      if (e.error) this.error(e.error);
    });
    this.renderStatus();
    setInterval(() => this.tick(), 1000);
    this.connect();
    await this.refresh();
    this.composer.focus();
  }
}

mixin(App, Api, State, Live, Clock, Navigation, Sidebar, Messages, Embeds, Components);

const app = new App();
window.playground = app; // for poking at it from the console
app.start();
