// Keeping the page live: the WebSocket, the bot's status pill, refreshing state and messages, and unread marks.

import { STORE, save, bigger } from "./state.js";

export class Live {
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

  // --- refreshing ---------------------------------------------------------------------------
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
}
