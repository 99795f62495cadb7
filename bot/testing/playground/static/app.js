// The playground page: a Discord-like client for the fake Discord's JSON API (api.py).
// Everything a member does (commands, clicks, picks, forms) goes to the real bot as an
// interaction; what the bot posts, edits or deletes comes back through /playground/ws.

import { h, fill, icon, ICONS, hexColor, fileSize, localUrl, jumpTarget, debounce, RawId } from "./dom.js";
import { markdown, refreshRelative, formatTimestamp, relative, plain } from "./markdown.js";
import { Composer } from "./composer.js";
import { openModal } from "./modal.js";
import { Tour } from "./tour.js";

const API = "/playground/api";
const STORE = {
  member: "pg.member",
  view: "pg.view",
  seen: "pg.seen",
  dismissed: "pg.dismissed",
};

// --- small utilities ------------------------------------------------------------------------
export class ApiError extends Error {}

function encode(body) {
  const json = JSON.stringify(body, (_k, v) => (v instanceof RawId ? `@@rawid:${v.id}@@` : v));
  return json.replace(/"@@rawid:(\d+)@@"/g, "$1");
}

function load(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function save(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* private mode: the choice just isn't remembered */
  }
}

function bigger(a, b) {
  // Snowflakes as strings: longer is bigger, else compare digit by digit.
  if (a.length !== b.length) return a.length > b.length;
  return a > b;
}

const AVATAR_COLORS = ["#5865f2", "#757e8a", "#3ba55c", "#faa61a", "#ed4245", "#eb459f"];

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
  }

  // --- networking ---------------------------------------------------------------------------
  async api(path, body) {
    const opts =
      body === undefined
        ? { cache: "no-store" }
        : { method: "POST", headers: { "Content-Type": "application/json" }, body: encode(body) };
    let res;
    try {
      res = await fetch(API + path, opts);
    } catch {
      throw new ApiError("The playground isn't answering: is it still running?");
    }
    const text = await res.text();
    let data = null;
    try {
      data = JSON.parse(text);
    } catch {
      /* aiohttp's plain-text errors */
    }
    if (!res.ok || (data && data.ok === false)) {
      const message = data?.error || text.replace(/^\d+: /, "") || res.statusText;
      throw new ApiError(message || `HTTP ${res.status}`);
    }
    return data;
  }

  connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${proto}://${location.host}/playground/ws`);
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 500;
      this.setConnected(true);
      this.refreshSoon();
    };
    ws.onmessage = (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (data.type === "changed") this.refreshSoon();
      else if (data.type === "status") this.setStatus(data.status);
    };
    ws.onclose = () => {
      this.setConnected(false);
      this.retry = Math.min((this.retry || 500) * 2, 5000);
      setTimeout(() => this.connect(), this.retry);
    };
    ws.onerror = () => {
      /* onclose follows and reconnects */
    };
  }

  // --- clock ----------------------------------------------------------------------------------
  now() {
    return this.clock.now + (performance.now() - this.clock.perf) / 1000;
  }

  setNow(now) {
    this.clock = { now, perf: performance.now() };
    this.tick();
  }

  tick() {
    const now = this.now();
    const clock = document.querySelector("[data-testid=clock]");
    const text = clockFmt.format(new Date(now * 1000));
    if (clock.textContent !== text) clock.textContent = text;
    const offset = this.state?.offset || 0;
    const ahead = document.getElementById("clock-ahead");
    ahead.textContent = offset > 60 ? `${aheadText(offset)} ahead` : "real time";
    ahead.classList.toggle("travelled", offset > 60);
    this.renderNextEvent(now);
    refreshRelative(document.getElementById("messages"), now);
  }

  renderNextEvent(now) {
    const el = document.getElementById("next-event");
    const ev = this.state?.next_event;
    let text;
    if (!ev) text = "No upcoming event";
    else if (now < ev.starts_at) {
      text = `Next event ${shortDate.format(new Date(ev.starts_at * 1000))} · ${relative(ev.starts_at, now)}`;
    } else if (now < ev.ends_at) text = `An event is on now (ends ${relative(ev.ends_at, now)})`;
    else text = `The last event ended ${relative(ev.ends_at, now)}`;
    if (el.textContent !== text) el.textContent = text;
    el.title = ev ? formatTimestamp(ev.starts_at, "F", now) : "";
  }

  // --- status ---------------------------------------------------------------------------------
  setStatus(status) {
    const was = this.status;
    this.status = status;
    this.renderStatus();
    if (status === "ready" && was !== "ready") this.refreshSoon();
  }

  setConnected(connected) {
    this.connected = connected;
    this.renderStatus();
  }

  renderStatus() {
    const pill = document.querySelector("[data-testid=status]");
    const labels = {
      starting: "Bot starting…",
      seeding: "Bot seeding the demo…",
      ready: "Bot ready",
      travelling: "Time travel… bot travelling",
      stopped: "Bot stopped",
    };
    const shown = this.connected ? this.status : "offline";
    pill.dataset.status = shown;
    pill.lastChild.textContent = this.connected
      ? labels[this.status] || this.status
      : "offline: reconnecting…";
    pill.title = this.connected
      ? `The bot is ${this.status}`
      : "The page lost its connection to the playground; it reconnects by itself.";
    this.renderTravel();
  }

  renderTravel() {
    const ev = this.state?.next_event;
    const busy = this.travelBusy || this.status !== "ready" || !this.connected;
    for (const btn of document.querySelectorAll(".travel button")) {
      const needsEvent = btn.dataset.to === "before-next" || btn.dataset.to === "after-next";
      let disabled = busy || (needsEvent && !ev);
      if (btn.dataset.to === "before-next" && ev && this.now() >= ev.starts_at - 600) disabled = true;
      btn.disabled = disabled;
    }
  }

  async travel(to) {
    if (this.travelBusy) return;
    this.travelBusy = true;
    this.setStatus("travelling");
    try {
      const res = await this.api("/travel", { to });
      this.setNow(res.now);
    } catch (e) {
      this.error(e);
    } finally {
      this.travelBusy = false;
      this.renderTravel();
      this.refreshSoon();
    }
  }

  // --- errors ---------------------------------------------------------------------------------
  error(e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!(e instanceof ApiError)) console.warn(e);
    const toasts = document.getElementById("toasts");
    const toast = h(
      "div",
      { class: "toast", role: "alert", "data-testid": "error", title: "Click to close" },
      h("strong", null, "Something went wrong"),
      h("span", null, message),
    );
    toast.addEventListener("click", () => toast.remove());
    toasts.append(toast);
    while (toasts.children.length > 4) toasts.firstChild.remove();
    setTimeout(() => toast.remove(), 8000);
  }

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

  // --- refreshing ---------------------------------------------------------------------------
  refreshSoon = debounce(() => this.refresh(), 60);

  async refresh() {
    try {
      const state = await this.loadState();
      if (!state) return;
      const before = JSON.stringify(this.view);
      this.resolveView();
      this.renderSwitcher();
      this.renderSidebar();
      this.renderHeader();
      this.composer.setContext();
      await this.loadMessages(JSON.stringify(this.view) !== before);
      this.refreshUnreadSoon();
    } catch (e) {
      this.error(e);
    }
  }

  async loadMessages(reset = false) {
    const seq = ++this.seq;
    const cid = this.channelId;
    const me = this.me;
    if (reset) this.clearMessages();
    if (!cid) {
      this.messages = [];
      this.renderMessages();
      return;
    }
    let data;
    try {
      data = await this.api(`/messages?channel=${cid}&as=${me}`);
    } catch (e) {
      if (seq === this.seq) this.error(e);
      return;
    }
    if (seq !== this.seq || cid !== this.channelId || me !== this.me) return; // stale
    this.messages = data.messages;
    this.renderMessages();
    this.markSeen(cid, data.messages);
  }

  clearMessages() {
    this.nodes.clear();
    document.getElementById("messages-list").replaceChildren();
    this.messages = [];
    this.firstRender = true;
  }

  // --- unread marks ---------------------------------------------------------------------------
  markSeen(cid, messages) {
    const last = messages.length ? messages[messages.length - 1].id : "0";
    const mine = (this.seen[this.me] ||= {});
    if (!mine[cid] || bigger(last, mine[cid])) {
      mine[cid] = last;
      save(STORE.seen, this.seen);
    }
    if (this.unread.delete(cid)) this.renderSidebar();
  }

  refreshUnreadSoon = debounce(() => this.refreshUnread(), 400);

  async refreshUnread() {
    const s = this.state;
    if (!s) return;
    const me = this.me;
    const mine = (this.seen[me] ||= {});
    const targets = s.channels.map((c) => c.id);
    if (s.dm) targets.push(s.dm);
    const unread = new Map();
    await Promise.all(
      targets.map(async (cid) => {
        if (cid === this.channelId) return;
        let data;
        try {
          data = await this.api(`/messages?channel=${cid}&as=${me}`);
        } catch {
          return;
        }
        const list = data.messages;
        const last = list.length ? list[list.length - 1].id : "0";
        if (cid !== s.dm && mine[cid] === undefined) {
          mine[cid] = last; // a channel first met: what is there now counts as read
          return;
        }
        const seen = mine[cid] || "0";
        const count = list.filter((m) => bigger(m.id, seen)).length;
        if (count) unread.set(cid, count);
      }),
    );
    if (me !== this.me) return;
    save(STORE.seen, this.seen);
    this.unread = unread;
    this.renderSidebar();
  }

  // --- switching ------------------------------------------------------------------------------
  async switchMember(id) {
    if (String(id) === String(this.me)) return;
    this.me = String(id);
    save(STORE.member, this.me);
    this.unread = new Map();
    // Whatever was only for the previous member goes at once.
    for (const el of document.querySelectorAll("#messages-list .msg.ephemeral")) el.remove();
    if (this.isDM) this.clearMessages();
    this.seq++;
    await this.refresh();
    this.renderUserPanel();
  }

  openChannel(id) {
    const ch = this.channels.get(String(id));
    if (!ch) {
      this.error(new ApiError(`${this.member(this.me)?.name || "You"} can't see that channel.`));
      return;
    }
    this.view = { kind: "channel", id: ch.id, name: ch.name };
    this.afterSwitch();
  }

  openDM() {
    this.view = { kind: "dm" };
    this.afterSwitch();
  }

  afterSwitch() {
    save(STORE.view, this.view.kind === "dm" ? { kind: "dm" } : { kind: "channel", name: this.view.name });
    this.unread.delete(this.channelId);
    this.renderSidebar();
    this.renderHeader();
    this.composer.setContext();
    this.loadMessages(true);
    this.composer.focus();
  }

  /** A discord.com link to a message: open its channel here and show the message. */
  jump(target) {
    const s = this.state;
    if (target.guild === "@me" || target.channel === s.dm) {
      if (target.channel !== s.dm) {
        this.error(new ApiError("That message is in another member's DM."));
        return;
      }
      this.pendingJump = target.message;
      if (this.isDM) this.scrollToPending();
      else this.openDM();
      return;
    }
    if (!this.channels.has(target.channel)) {
      this.error(new ApiError("You can't see the channel that link points to."));
      return;
    }
    this.pendingJump = target.message;
    if (this.view.id === target.channel) this.scrollToPending();
    else this.openChannel(target.channel);
  }

  scrollToPending() {
    const id = this.pendingJump;
    if (!id) return;
    const el = this.nodes.get(id)?.el;
    if (!el) return;
    this.pendingJump = null;
    el.scrollIntoView({ block: "center" });
    el.classList.remove("flash");
    void el.offsetWidth;
    el.classList.add("flash");
  }

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

  // --- rendering: messages ---------------------------------------------------------------------
  renderMessages() {
    const scroller = document.getElementById("messages");
    const list = document.getElementById("messages-list");
    const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 120;
    const visible = this.messages.filter((m) => !this.dismissed.has(m.id));
    const byId = new Map(visible.map((m) => [m.id, m]));
    this.byId = byId;
    const wanted = [];
    let prevDay = null;
    let mineNew = false;
    for (const m of visible) {
      const day = dayKey(m.time);
      const divider = day !== prevDay;
      prevDay = day;
      const ref = refId(m);
      const refMsg = ref ? byId.get(ref) : null;
      const sig = JSON.stringify([m, this.mentionsMe(m), this.ctxVersion, divider, refMsg ? [refMsg.content, refMsg.embeds?.[0]?.title] : ref]);
      const old = this.nodes.get(m.id);
      if (old && old.sig === sig) {
        wanted.push(old.el);
        continue;
      }
      const el = this.renderMessage(m, divider, refMsg, ref);
      if (!old && !this.firstRender) {
        el.classList.add("arrived");
        if (m.ephemeral || m.interaction_metadata?.user?.id === this.me) mineNew = true;
      }
      this.nodes.set(m.id, { sig, el });
      wanted.push(el);
    }
    for (const id of [...this.nodes.keys()]) if (!byId.has(id)) this.nodes.delete(id);
    // Reconcile the list in place: edits replace their node, order is the channel's.
    const keep = new Set(wanted);
    for (const child of [...list.children]) if (!keep.has(child)) child.remove();
    let cursor = list.firstChild;
    for (const el of wanted) {
      if (el === cursor) {
        cursor = cursor.nextSibling;
      } else {
        list.insertBefore(el, cursor);
      }
    }
    fill(document.getElementById("empty-channel"), ...this.emptyIntro(visible.length === 0));
    refreshRelative(list, this.now());
    if (this.firstRender || nearBottom || mineNew) scroller.scrollTop = scroller.scrollHeight;
    this.firstRender = false;
    this.scrollToPending();
  }

  emptyIntro(empty) {
    const s = this.state;
    if (!s) return [];
    if (this.isDM) {
      return [
        avatar(s.bot.id, s.bot.name, true, 80),
        h("h2", null, s.bot.name),
        h("p", null, `This is the beginning of your direct message history with ${s.bot.name}.`),
        empty ? h("p", { class: "muted" }, "Nothing here yet: tickets, reminders and mentorship proposals arrive in this DM.") : null,
      ];
    }
    const name = this.view.name || this.channels.get(this.view.id)?.name || "";
    return [
      h("div", { class: "intro-icon" }, icon(ICONS.hash, "icon", 42)),
      h("h2", null, `Welcome to #${name}!`),
      h("p", null, `This is the start of the #${name} channel. ${TOPICS[name] || ""}`),
      empty ? h("p", { class: "muted" }, "No messages yet. Type / in the box below to run one of the bot's commands.") : null,
    ];
  }

  mdContext() {
    return {
      user: (id) => {
        const m = this.member(id);
        return m ? { name: m.name, about: m.about } : null;
      },
      role: (id) => this.state.roles[id] || null,
      channel: (id) => {
        const c = this.channels.get(String(id));
        return c ? { name: c.name } : null;
      },
      now: () => this.now(),
      openChannel: (id) => this.openChannel(id),
      openCommand: (path) => this.composer.prefill(`/${path} `),
      openLink: (url, event) => {
        const target = jumpTarget(url);
        if (target) {
          event.preventDefault();
          this.jump(target);
        }
      },
    };
  }

  mentionsMe(m) {
    const me = this.me;
    const content = m.content || "";
    if (content.includes(`<@${me}>`) || content.includes(`<@!${me}>`)) return true;
    if (m.mention_everyone) return true;
    const roles = this.member(me)?.roles || [];
    return (m.mention_roles || []).some((r) => roles.includes(r));
  }

  renderMessage(m, divider, refMsg, ref) {
    const ctx = this.mdContext();
    const author = m.author || {};
    const name = this.member(author.id)?.name || author.global_name || author.username || "Unknown";
    const color = this.colorOf(author.id);
    const classes = ["msg"];
    if (m.ephemeral) classes.push("ephemeral");
    if (this.mentionsMe(m)) classes.push("mentioned");
    const body = h("div", { class: "msg-body" });
    body.append(
      h(
        "h3",
        { class: "msg-header" },
        h("span", { class: "author", "data-testid": "message-author", style: color ? `color:${color}` : null }, name),
        author.bot ? h("span", { class: "bot-tag" }, "BOT") : null,
        h("time", { class: "msg-time", title: formatTimestamp(m.time, "F", 0) }, messageTime(m.time, this.now())),
      ),
    );
    const content = h("div", { class: "msg-content", "data-testid": "message-content" });
    if (m.loading) {
      content.append(h("span", { class: "thinking", "data-testid": "thinking" }, `${this.state.bot.name} is thinking…`));
    } else {
      content.append(markdown(m.content || "", ctx));
      if (m.edited && m.content) content.classList.add("is-edited");
    }
    body.append(content);
    const used = new Set();
    for (const embed of m.embeds || []) body.append(this.renderEmbed(embed, m, ctx, used));
    const atts = (m.attachments || []).filter((a) => !used.has(a.filename));
    if (atts.length) body.append(h("div", { class: "attachments" }, atts.map((a) => renderAttachment(a))));
    if (m.components?.length) body.append(this.renderComponents(m.components, m, ctx));
    if (m.thread?.id && this.channels.has(m.thread.id)) {
      body.append(
        h(
          "div",
          { class: "thread-chip", role: "button", tabindex: 0, onclick: () => this.openChannel(m.thread.id) },
          icon(ICONS.thread, "icon", 16),
          h("span", null, m.thread.name),
          h("span", { class: "muted" }, "See thread ›"),
        ),
      );
    }
    if (m.ephemeral) {
      body.append(
        h(
          "div",
          { class: "ephemeral-footer" },
          icon(ICONS.eye, "icon", 16),
          h("span", { "data-testid": "ephemeral-note" }, "Only you can see this"),
          " • ",
          h(
            "a",
            {
              href: "#",
              class: "dismiss",
              onclick: (e) => {
                e.preventDefault();
                this.dismiss(m.id);
              },
            },
            "Dismiss message",
          ),
        ),
      );
    }
    const el = h(
      "article",
      { class: classes.join(" "), "data-testid": "message", "data-message-id": m.id },
      divider ? h("div", { class: "day-divider" }, h("span", null, dayLabel(m.time))) : null,
      this.renderReference(m, refMsg, ref),
      h("div", { class: "msg-row" }, avatar(author.id, name, author.bot), body),
    );
    return el;
  }

  renderReference(m, refMsg, ref) {
    const meta = m.interaction_metadata;
    if (meta?.name && meta.user) {
      const who = this.member(meta.user.id)?.name || meta.user.global_name || meta.user.username;
      const color = this.colorOf(meta.user.id);
      return h(
        "div",
        { class: "msg-ref" },
        h("span", { class: "ref-spine" }),
        avatar(meta.user.id, who, false, 16),
        h("span", { class: "ref-user", style: color ? `color:${color}` : null }, who),
        h("span", { class: "ref-used" }, " used "),
        h("span", { class: "ref-command" }, `/${meta.name}`),
      );
    }
    if (!ref) return null;
    if (!refMsg) {
      return m.type === 19 && m.message_reference
        ? h("div", { class: "msg-ref" }, h("span", { class: "ref-spine" }), h("span", { class: "ref-text muted" }, "Original message was deleted"))
        : null;
    }
    const who = this.member(refMsg.author?.id)?.name || refMsg.author?.username || "";
    const text =
      plain(refMsg.content) ||
      refMsg.embeds?.[0]?.title ||
      (refMsg.attachments?.length ? "Click to see attachment" : "Click to see the message");
    return h(
      "div",
      {
        class: "msg-ref clickable",
        title: "Show the message",
        onclick: () => {
          this.pendingJump = refMsg.id;
          this.scrollToPending();
        },
      },
      h("span", { class: "ref-spine" }),
      avatar(refMsg.author?.id, who, refMsg.author?.bot, 16),
      h("span", { class: "ref-user", style: this.colorOf(refMsg.author?.id) ? `color:${this.colorOf(refMsg.author?.id)}` : null }, `@${who}`),
      h("span", { class: "ref-text" }, text),
    );
  }

  dismiss(id) {
    this.dismissed.add(id);
    save(STORE.dismissed, [...this.dismissed].slice(-500));
    const node = this.nodes.get(id);
    node?.el.remove();
    this.nodes.delete(id);
  }

  renderEmbed(e, m, ctx, used) {
    const attachmentUrl = (url) => {
      if (!url) return null;
      if (url.startsWith("attachment://")) {
        const name = url.slice("attachment://".length);
        const att = (m.attachments || []).find((a) => a.filename === name);
        if (!att) return null;
        used.add(name);
        return localUrl(att.url) || att.url;
      }
      return localUrl(url); // other hosts: not fetched (the playground is offline)
    };
    const color = e.color !== undefined && e.color !== null ? hexColor(e.color) : null;
    const el = h("div", { class: "embed", "data-testid": "embed", style: color ? `border-left-color:${color}` : null });
    const grid = h("div", { class: "embed-grid" });
    const thumb = e.thumbnail?.url ? attachmentUrl(e.thumbnail.url) : null;
    if (e.author?.name) {
      const authorIcon = attachmentUrl(e.author.icon_url);
      grid.append(
        h(
          "div",
          { class: "embed-author" },
          authorIcon ? h("img", { src: authorIcon, alt: "", class: "embed-author-icon" }) : null,
          e.author.url ? externalLink(e.author.url, e.author.name, ctx) : h("span", null, e.author.name),
        ),
      );
    }
    if (e.title) {
      const title = markdown(e.title, ctx, { blocks: false });
      grid.append(
        h(
          "div",
          { class: "embed-title", "data-testid": "embed-title" },
          e.url ? externalLink(e.url, title, ctx) : title,
        ),
      );
    }
    if (e.description) {
      grid.append(h("div", { class: "embed-description", "data-testid": "embed-description" }, markdown(e.description, ctx)));
    }
    if (e.fields?.length) {
      const fields = h("div", { class: "embed-fields" });
      const perRow = thumb ? 2 : 3;
      let row = [];
      const flush = () => {
        if (!row.length) return;
        const span = 12 / row.length;
        row.forEach((f) => {
          f.style.gridColumn = `span ${span}`;
          fields.append(f);
        });
        row = [];
      };
      for (const f of e.fields) {
        const node = h(
          "div",
          { class: "embed-field", "data-testid": "embed-field" },
          h("div", { class: "embed-field-name", "data-testid": "embed-field-name" }, markdown(f.name, ctx, { blocks: false })),
          h("div", { class: "embed-field-value", "data-testid": "embed-field-value" }, markdown(f.value, ctx)),
        );
        if (f.inline) {
          if (row.length >= perRow) flush();
          row.push(node);
        } else {
          flush();
          row.push(node);
          flush();
        }
      }
      flush();
      grid.append(fields);
    }
    const image = e.image?.url ? attachmentUrl(e.image.url) : null;
    if (image) grid.append(h("a", { href: image, target: "_blank", class: "embed-image" }, h("img", { src: image, alt: e.image.url.replace(/^attachment:\/\//, "") })));
    else if (e.image?.url) grid.append(externalLink(e.image.url, "Image (not loaded: the playground is offline)", ctx));
    if (thumb) grid.append(h("img", { class: "embed-thumbnail", src: thumb, alt: "" }));
    if (e.footer?.text || e.timestamp) {
      const footIcon = attachmentUrl(e.footer?.icon_url);
      grid.append(
        h(
          "div",
          { class: "embed-footer", "data-testid": "embed-footer" },
          footIcon ? h("img", { src: footIcon, alt: "", class: "embed-footer-icon" }) : null,
          e.footer?.text ? h("span", null, e.footer.text) : null,
          e.footer?.text && e.timestamp ? h("span", { class: "dot" }, " • ") : null,
          e.timestamp ? h("span", null, messageTime(Date.parse(e.timestamp) / 1000, this.now())) : null,
        ),
      );
    }
    el.append(grid);
    return el;
  }

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

// --- helpers for rendering -------------------------------------------------------------------
const TOPICS = {
  general: "Say hello; replies to commands run here show up here.",
  announcements: "News from the organizers.",
  "lahore-events": "Events in Lahore: RSVP with the buttons on each announcement.",
  "islamabad-events": "Events in Islamabad.",
  "ai-learning": "A learning resource every day at 10:00, and the library: /resource search.",
  mentorship: "Ask for a mentor with /mentee request; matched pairs get a private thread.",
  organizers: "Only organizers see this: what needs their attention.",
};

function channelAllowed(ch, types) {
  if (!types || !types.length) return true;
  const t = ch.type === "thread" ? [10, 11, 12] : [0, 5];
  return t.some((x) => types.includes(x));
}

function initials(name) {
  return name
    .split(/\s+/)
    .map((w) => w[0])
    .join("")
    .slice(0, 3)
    .toUpperCase();
}

export function avatar(id, name, bot, size = 40) {
  const n = Number(String(id || "0").slice(-4)) || 0;
  const color = bot ? "#5865f2" : AVATAR_COLORS[n % AVATAR_COLORS.length];
  return h(
    "div",
    {
      class: `avatar${bot ? " bot" : ""}`,
      style: `background:${color};width:${size}px;height:${size}px;font-size:${Math.round(size * 0.42)}px`,
      "aria-hidden": "true",
    },
    bot ? icon(ICONS.bot, "icon", Math.round(size * 0.6)) : (name || "?").slice(0, 1).toUpperCase(),
  );
}

function externalLink(url, children, ctx) {
  return h(
    "a",
    { href: url, target: "_blank", rel: "noopener noreferrer", title: url, onclick: (e) => ctx.openLink(url, e) },
    children,
  );
}

function isImage(a) {
  if (a.content_type) return a.content_type.startsWith("image/");
  return /\.(png|jpe?g|gif|webp|svg)$/i.test(a.filename);
}

function renderAttachment(a) {
  const url = localUrl(a.url) || a.url;
  if (isImage(a)) {
    return h(
      "a",
      { class: "attachment-image-link", href: url, target: "_blank", title: a.filename },
      h("img", { class: "attachment-image", "data-testid": "attachment-image", src: url, alt: a.filename }),
    );
  }
  return h(
    "div",
    { class: "attachment-file-card" },
    icon(ICONS.file, "icon file-icon", 36),
    h(
      "div",
      { class: "file-meta" },
      h("a", { "data-testid": "attachment-file", href: url, download: a.filename, title: `Download ${a.filename}` }, a.filename),
      h("div", { class: "file-size" }, fileSize(a.size || 0)),
    ),
  );
}

function refId(m) {
  return m.message_reference?.message_id || m.interaction_metadata?.interacted_message_id || null;
}

function dayKey(epoch) {
  const d = new Date(epoch * 1000);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

function dayLabel(epoch) {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "long" }).format(new Date(epoch * 1000));
}

const clockFmt = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "numeric",
  minute: "2-digit",
  second: "2-digit",
});
const shortDate = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  day: "numeric",
  month: "short",
  hour: "numeric",
  minute: "2-digit",
});
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dateFmt = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "2-digit", day: "2-digit" });

/** "Today at 10:42", "Yesterday at 18:00", else "07/12/2026 10:42": days of the playground's clock. */
function messageTime(epoch, now) {
  const d = new Date(epoch * 1000);
  const time = timeFmt.format(d);
  const today = dayKey(now);
  if (dayKey(epoch) === today) return `Today at ${time}`;
  if (dayKey(epoch + 86400) === today) return `Yesterday at ${time}`;
  if (dayKey(epoch - 86400) === today) return `Tomorrow at ${time}`;
  return `${dateFmt.format(d)} ${time}`;
}

function aheadText(seconds) {
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const parts = [];
  if (days) parts.push(`${days} d`);
  if (hours) parts.push(`${hours} h`);
  if (!days && minutes) parts.push(`${minutes} min`);
  return parts.join(" ") || "a moment";
}

const app = new App();
window.playground = app; // for poking at it from the console
app.start();
