// Embeds: a message's rich cards (author, title, fields, image, thumbnail, footer) and their links.

import { h, hexColor, localUrl } from "./dom.js";
import { markdown } from "./markdown.js";
import { messageTime } from "./clock.js";

export class Embeds {
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
}

function externalLink(url, children, ctx) {
  return h(
    "a",
    { href: url, target: "_blank", rel: "noopener noreferrer", title: url, onclick: (e) => ctx.openLink(url, e) },
    children,
  );
}
