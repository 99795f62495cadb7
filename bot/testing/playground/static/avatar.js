// Avatars: the round initial (or bot icon) shown for a member or the bot.

import { h, icon, ICONS } from "./dom.js";

const AVATAR_COLORS = ["#5865f2", "#757e8a", "#3ba55c", "#faa61a", "#ed4245", "#eb459f"];

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
