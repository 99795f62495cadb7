// Time: the playground's clock, the next event line, time travel, and how times and days are written.

import { refreshRelative, formatTimestamp, relative } from "./markdown.js";

export class Clock {
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
}

export function dayKey(epoch) {
  const d = new Date(epoch * 1000);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(epoch) {
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
export function messageTime(epoch, now) {
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
