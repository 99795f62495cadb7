// The guided tour: a Google I/O Extended-style event from announcement to feedback in
// eight short steps (check-in comes after the jump, at the door: volunteers may check in from 24 hours before the start). Each says who to be, where, and what to type or click; "Set it up"
// switches member and channel (and fills the command in) for whoever would rather not.

import { h, fill, icon, ICONS } from "./dom.js";

const KEY_STEP = "pg.tourStep";
const KEY_OPEN = "pg.tourOpen";

// who: a username; where: a channel name or "dm"; line: put in the message box (not sent).
const STEPS = [
  {
    title: "Create an event",
    who: "fatima",
    where: "lahore-events",
    line: '/event create title:"Flutter Forward Lahore" city:Lahore starts:"tomorrow 18:00" capacity:3',
    text: [
      "Be ",
      ["b", "Fatima"],
      " (organizer) in ",
      ["b", "#lahore-events"],
      ". In the message box type ",
      ["code", '/event create title:"Flutter Forward Lahore" city:Lahore starts:"tomorrow 18:00" capacity:3'],
      " and press Enter (or type /event create, pick it and fill the boxes). The announcement appears with Going, Can't go and Add to calendar.",
    ],
  },
  {
    title: "RSVP until the waitlist starts",
    who: "omar",
    where: "lahore-events",
    text: [
      "Switch “You are” to ",
      ["b", "Omar"],
      ", then ",
      ["b", "Usman"],
      ", ",
      ["b", "Zainab"],
      " and ",
      ["b", "Bilal"],
      ", clicking ",
      ["b", "Going"],
      " on Flutter Forward Lahore each time. The seat count moves and the 4th lands on the waitlist. Each reply is marked “Only you can see this”.",
    ],
  },
  {
    title: "The ticket, and a registration form",
    who: "omar",
    where: "dm",
    text: [
      "As ",
      ["b", "Omar"],
      ", open ",
      ["b", "GDG Bot"],
      " under Direct messages: his ticket, with its code and QR code. Back in #lahore-events, Going on ",
      ["b", "Google I/O Extended Lahore"],
      " first opens its registration form.",
    ],
  },
  {
    title: "Search the library",
    who: "sara",
    where: "ai-learning",
    line: "/resource search query:gemini",
    text: [
      "As anyone, in ",
      ["b", "#ai-learning"],
      ": ",
      ["code", "/resource search query:gemini"],
      ". The starter catalogue is in the library, and this channel gets one resource every day at 10:00.",
    ],
  },
  {
    title: "Ask for a mentor, run a round",
    who: "zainab",
    where: "mentorship",
    line: '/mentee request topics:"Machine Learning" language:Urdu goal:"Train my first model"',
    text: [
      "As ",
      ["b", "Zainab"],
      " in #mentorship: ",
      ["code", '/mentee request topics:"Machine Learning" language:Urdu goal:"Train my first model"'],
      ". Then as ",
      ["b", "Fatima"],
      " run ",
      ["code", "/mentorship match"],
      ". As ",
      ["b", "Nadia"],
      " and as Zainab, click Accept in the DM: a private thread for the pair opens under #mentorship.",
    ],
  },
  {
    title: "Time travel: the reminders",
    who: "omar",
    where: "dm",
    text: [
      "Click ",
      ["b", "Just before the next event"],
      " at the top: the bot restarts 10 minutes before Flutter Forward Lahore and sends what fell due. Omar's DM now holds his reminders.",
    ],
  },
  {
    title: "Check in at the door",
    who: "ali",
    where: "lahore-events",
    line: "/event checkin member:Omar",
    text: [
      "Be ",
      ["b", "Ali"],
      " (volunteer) in #lahore-events: ",
      ["code", "/event checkin"],
      ", pick Flutter Forward Lahore among the suggestions for event, and choose Omar as member (or type his ticket code in code). Volunteers can check in from 24 hours before the start (/settings checkin-window); organizers at any time.",
    ],
  },
  {
    title: "After the event: feedback and stats",
    who: "fatima",
    where: "lahore-events",
    line: "/event stats",
    text: [
      "Click ",
      ["b", "After it"],
      ": whoever came gets a feedback DM (see Omar's). As ",
      ["b", "Fatima"],
      ", ",
      ["code", "/event stats"],
      " with Flutter Forward Lahore shows going, check-ins and no-shows, and ",
      ["code", "/event feedback"],
      " what people said.",
    ],
  },
];

function rich(parts) {
  return parts.map((p) => (Array.isArray(p) ? h(p[0], null, p[1]) : p));
}

export class Tour {
  constructor(app) {
    this.app = app;
    this.panel = document.querySelector("[data-testid=tour]");
    this.toggleBtn = document.querySelector("[data-testid=tour-toggle]");
    this.step = Math.min(Math.max(0, Number(localStorage.getItem(KEY_STEP)) || 0), STEPS.length - 1);
    const open = localStorage.getItem(KEY_OPEN);
    this.open = open === null ? true : open === "1";
    this.toggleBtn.addEventListener("click", () => this.setOpen(!this.open));
    this.render();
    this.setOpen(this.open);
  }

  setOpen(open) {
    this.open = open;
    try {
      localStorage.setItem(KEY_OPEN, open ? "1" : "0");
    } catch {
      /* not remembered */
    }
    this.panel.hidden = !open;
    document.body.classList.toggle("tour-open", open);
    this.toggleBtn.setAttribute("aria-expanded", String(open));
    this.toggleBtn.classList.toggle("active", open);
  }

  go(step) {
    this.step = Math.min(Math.max(0, step), STEPS.length - 1);
    try {
      localStorage.setItem(KEY_STEP, String(this.step));
    } catch {
      /* not remembered */
    }
    this.render();
  }

  async setUp(s) {
    const app = this.app;
    const member = app.state?.members.find((m) => m.username === s.who);
    if (member) await app.switchMember(member.id);
    if (s.where === "dm") app.openDM();
    else {
      const ch = app.state?.channels.find((c) => c.name === s.where);
      if (ch) app.openChannel(ch.id);
    }
    if (s.line) app.composer.prefill(s.line);
  }

  render() {
    const s = STEPS[this.step];
    const n = this.step + 1;
    fill(this.panel,
      h(
        "div",
        { class: "tour-head" },
        icon(ICONS.map, "icon", 18),
        h("h2", null, "Guided tour"),
        h("span", { class: "tour-count" }, `Step ${n} of ${STEPS.length}`),
        h("button", { type: "button", class: "tour-close", title: "Hide the tour", "aria-label": "Hide the tour", onclick: () => this.setOpen(false) }, icon(ICONS.close, "icon", 16)),
      ),
      h("div", { class: "tour-progress" }, STEPS.map((_, i) => h("span", { class: i <= this.step ? "done" : null, title: STEPS[i].title, onclick: () => this.go(i) }))),
      h(
        "div",
        { class: "tour-step", "data-testid": "tour-step", "data-step": n },
        h("h3", null, `${n}. ${s.title}`),
        h("p", null, rich(s.text)),
      ),
      h(
        "button",
        { type: "button", class: "tour-setup", onclick: () => this.setUp(s), title: "Switch member and channel for this step" + (s.line ? ", and fill the command in" : "") },
        s.line ? "Set it up and fill the command in" : "Set it up for me",
      ),
      h(
        "div",
        { class: "tour-nav" },
        h("button", { type: "button", class: "btn btn-secondary", "data-testid": "tour-back", disabled: this.step === 0, onclick: () => this.go(this.step - 1) }, "Back"),
        this.step < STEPS.length - 1
          ? h("button", { type: "button", class: "btn btn-primary", "data-testid": "tour-next", onclick: () => this.go(this.step + 1) }, "Next")
          : h("button", { type: "button", class: "btn btn-success", "data-testid": "tour-next", onclick: () => this.go(0) }, "Start over"),
      ),
      h("p", { class: "tour-foot" }, "Everything here is the real bot, answering through a fake Discord on your machine."),
    );
  }
}
