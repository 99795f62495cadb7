// The door page: scan ticket QR codes continuously, check each in, show the answer big.
// No member data is in this file: it all comes from the link's own routes (the token is
// in the page's path), so the file is cacheable and the same for everyone.
"use strict";

(function () {
  const base = location.pathname.replace(/\/+$/, "");
  const REPEAT_MS = 3000; // the same code held in front of the camera: once per 3 s
  const SCAN_GAP_MS = 30; // between two decodes: leaves the phone's CPU some air
  const MAX_SIDE = 640; // frames are scaled down to this before decoding

  const $ = (id) => document.getElementById(id);
  const video = $("video");
  const result = $("result");
  const title = $("result-title");
  const detail = $("result-detail");
  const count = $("count");
  const note = $("camera-note");
  // What the page did and showed, for the browser tests and their timings (kept in this
  // tab only, like the screen itself).
  const log = [];
  window.doorLog = log;
  const lastSeen = new Map(); // code -> when its last answer came (ms)
  const pending = new Set();
  let dead = false;

  // --- feedback: colour, vibration, a short beep ----------------------------------------
  let audio = null;
  function wakeAudio() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (e) { audio = null; }
  }
  document.addEventListener("pointerdown", wakeAudio, { once: false, passive: true });
  function beep(ok) {
    if (!audio || audio.state !== "running") return;
    const tones = ok ? [[880, 0, 0.12]] : [[220, 0, 0.15], [220, 0.2, 0.15]];
    for (const [freq, start, len] of tones) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(audio.destination);
      const t = audio.currentTime + start;
      osc.start(t);
      osc.stop(t + len);
    }
  }
  function show(kind, head, text) {
    result.className = kind;
    title.textContent = head;
    detail.textContent = text || "";
    if (kind === "ok" || kind === "bad") {
      if (navigator.vibrate) navigator.vibrate(kind === "ok" ? 120 : [80, 60, 80, 60, 80]);
      beep(kind === "ok");
    }
  }
  function showCounts(c) {
    if (!c) return;
    count.textContent = `${c.checked_in} / ${c.going} in`;
  }
  function gone() {
    dead = true;
    show("bad", "This door link no longer works", "Ask for a new one with /event door.");
  }

  // --- the server -------------------------------------------------------------------------
  async function call(path, body) {
    const init = body === undefined ? {} : {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    };
    init.cache = "no-store";
    init.credentials = "omit";
    const res = await fetch(base + path, init);
    if (res.status === 403) { gone(); throw new Error("forbidden"); }
    const json = (res.headers.get("Content-Type") || "").startsWith("application/json");
    if (!res.ok && !(json && res.status < 500)) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }
  function answer(a) {
    show(a.ok ? "ok" : "bad", a.title, a.detail);
    showCounts(a.counts);
  }
  async function refresh() {
    if (dead) return;
    try {
      const s = await call("/state");
      $("event").textContent = s.title;
      document.title = `Door: ${s.title}`;
      showCounts(s);
    } catch (e) { /* shown by gone(), or retried */ }
  }

  async function send(code, grabbedAt, decodedAt) {
    if (pending.has(code) || dead) return;
    pending.add(code);
    const entry = { code, grabbedAt, decodedAt, shownAt: null, outcome: null };
    log.push(entry);
    try {
      const a = await call("/scan", { code });
      answer(a);
      entry.outcome = a.outcome;
      entry.title = a.title;
      entry.detail = a.detail;
    } catch (e) {
      if (!dead) show("bad", "Not sent", "No answer from the bot: scan again.");
      entry.outcome = "error";
    } finally {
      entry.shownAt = performance.now();
      lastSeen.set(code, performance.now());
      pending.delete(code);
    }
  }

  // --- the camera ---------------------------------------------------------------------------
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  let detector = null;
  if ("BarcodeDetector" in window) {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) {}
  }

  async function decode() {
    const w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) return null;
    if (detector) {
      try {
        const codes = await detector.detect(video);
        return codes.length ? codes[0].rawValue : null;
      } catch (e) { detector = null; } // fall back to jsQR for good
    }
    const scale = Math.min(1, MAX_SIDE / Math.max(w, h));
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const found = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
    return found ? found.data : null;
  }

  async function loop() {
    if (dead) return;
    const grabbedAt = performance.now();
    let text = null;
    try { text = await decode(); } catch (e) { text = null; }
    if (text) {
      const code = text.trim();
      const seen = lastSeen.get(code);
      if (code && (seen === undefined || performance.now() - seen > REPEAT_MS)) {
        send(code, grabbedAt, performance.now());
      }
    }
    setTimeout(loop, SCAN_GAP_MS);
  }

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      note.textContent = "No camera here: type the code or find the member below.";
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" } }, audio: false,
      });
      video.srcObject = stream;
      await video.play();
      note.textContent = detector ? "Scanning (built-in reader)" : "Scanning";
      loop();
    } catch (e) {
      note.textContent = "The camera is off or not allowed: type the code or find the member.";
    }
  }

  // --- typed code and search ----------------------------------------------------------------
  $("manual").addEventListener("submit", (ev) => {
    ev.preventDefault();
    wakeAudio();
    const code = $("code").value.trim();
    if (!code) return;
    $("code").value = "";
    lastSeen.delete(code);
    send(code, performance.now(), performance.now());
  });

  const found = $("found");
  let searchTimer = null;
  let searchSeq = 0;
  async function runSearch() {
    const q = $("q").value.trim();
    const seq = ++searchSeq;
    if (!q) { found.replaceChildren(); return; }
    let data;
    try { data = await call("/search?q=" + encodeURIComponent(q)); } catch (e) { return; }
    if (seq !== searchSeq) return; // a newer search is on its way
    const items = data.found.map((m) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.userId = m.id; // a string: Discord ids don't fit in a JS number
      b.textContent = `${m.name} — ${m.label}`;
      if (m.checked_in) b.className = "done";
      b.addEventListener("click", () => admit(m.id));
      li.append(b);
      return li;
    });
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = "Nobody by that name.";
      items.push(li);
    }
    found.replaceChildren(...items);
  }
  async function admit(userId) {
    wakeAudio();
    try {
      answer(await call("/checkin", { user_id: userId }));
      runSearch();
    } catch (e) {
      if (!dead) show("bad", "Not sent", "No answer from the bot: try again.");
    }
  }
  $("search").addEventListener("submit", (ev) => { ev.preventDefault(); runSearch(); });
  $("q").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 200);
  });

  refresh();
  setInterval(refresh, 5000); // other volunteers' check-ins
  startCamera();
})();
