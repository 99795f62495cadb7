// The message list: rendering messages, replies and attachments, keeping the list in step, dismissing ephemeral ones.

import { h, fill, icon, ICONS, localUrl, jumpTarget, fileSize } from "./dom.js";
import { markdown, refreshRelative, formatTimestamp, plain } from "./markdown.js";
import { avatar } from "./avatar.js";
import { STORE, save } from "./state.js";
import { TOPICS } from "./sidebar.js";
import { dayKey, dayLabel, messageTime } from "./clock.js";

export class Messages {
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
