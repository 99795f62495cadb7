// Moving around: switching member, opening a channel or the DM, and jumping to a linked message.

import { ApiError } from "./api.js";
import { STORE, save } from "./state.js";

export class Navigation {
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
}
