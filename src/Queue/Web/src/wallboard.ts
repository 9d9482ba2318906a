// The wallboard: every queue (or those in ?queues=) live over SignalR, each figure against its target.
import type { HubConnection } from "@microsoft/signalr";
import type { Alert, LiveChanges, LiveUpdate, QueueSnapshot } from "./live";
import { LiveMethods, Watching, applyChange } from "./live";
import {
  ApiError, api, centerFormat, connectLive, el, offsetOf, takeKey, text, whoAmI,
} from "./common";
import { alertSubject, kindLabel, loadAlertKinds, visitsPast } from "./alert-kinds";
import { Beeper } from "./sound";
import { worst } from "./wallboard-figures";
import { boardOptions, breachFirst } from "./wallboard-layout";
import type { Drawn } from "./wallboard-pages";
import { Pages } from "./wallboard-pages";
import { Breaks } from "./wallboard-breaks";
import { fillRow, newRow } from "./wallboard-table";
import { fillTile, newTile } from "./wallboard-tile";

const $ = (id: string) => document.getElementById(id)!;
const tilesEl = $("tiles");
const alertsEl = $("alerts");
const banner = $("banner");
const clock = $("clock");
const dateEl = $("date");
const options = boardOptions(location.search);

const named = [...new Set((new URLSearchParams(location.search).get("queues") ?? "")
  .split(",").map((q) => q.trim()).filter(Boolean))];
const queues = new Map<string, QueueSnapshot>();
const alerts = new Map<number, Alert>();
let center: QueueSnapshot | null = null;
let zone: string | null = null;
let lastUpdate = 0;
let lostSince = 0;
let firstJoinDone = false;
const beeper = new Beeper($("sound") as HTMLButtonElement, "queue.wallboard.sound");

function fatal(title: string, message: string): void {
  const box = $("fatal");
  box.replaceChildren(el("h1", {}, title), el("p", {}, message));
  box.hidden = false;
}

function refused(status: number): void {
  if (status === 401) fatal("Key refused", "This screen's key was refused (401). Ask an admin for a new wallboard link.");
  else fatal("Not allowed", "This screen's key may not show the wallboard (403). Ask an admin for a wallboard link.");
}

let key: string | null = null;
let breaks: Breaks | null = null;

async function main(): Promise<void> {
  const k = takeKey("queue.wallboard.key");
  if (!k) {
    fatal("No key", "This screen has no wallboard key. Open the wallboard link an admin gave you (/wallboard#key=…).");
    return;
  }
  key = k;
  for (let attempt = 0; ; attempt++) {
    try {
      const me = await whoAmI(k);
      if (me && me.role === "ingest") return refused(403);
      zone = me?.timeZone ?? null;
      break;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return refused(e.status);
      showLost();
      await new Promise((r) => setTimeout(r, Math.min(1000 * (attempt + 1), 5000)));
    }
  }
  if (options.agents) breaks = new Breaks(k, named, render);
  setInterval(tick, 1000);
  setInterval(turnPage, options.pageSeconds * 1000);
  tick();
  void loadAlerts(k);
  connectLive(k, {
    joined: (c, again) => join(c, again, k),
    lost: showLost,
    refused,
  });
}

async function join(connection: HubConnection, again: boolean, key: string): Promise<void> {
  connection.off(LiveMethods.client.updated);
  connection.off(LiveMethods.client.alertChanged);
  // One message a publishing round: what changed among what this screen watches, against what it holds.
  const watching = new Watching((u) => applied(u), async () => {
    if (!await watch(connection)) return false;
    seen();
    breaks?.poke();
    render();
    return true;
  });
  connection.on(LiveMethods.client.updated, (u: LiveChanges) => watching.received(u));
  connection.on(LiveMethods.client.alertChanged, (a: Alert) => alertChanged(a));
  if (!await watching.again()) return;
  if (again) void loadAlerts(key);
  if (lostSince > 0 || (again && firstJoinDone)) showBack();
  firstJoinDone = true;
}

// Applies a round's changes; answers whether one was against another snapshot than the one held.
function applied(u: LiveChanges): boolean {
  let missed = false;
  if (u.center) {
    const c = applyChange(center, u.center);
    if (c === "missed") missed = true;
    else if (c !== "stale") { center = c; seen(); renderSummary(); }
  }
  let changed = false;
  for (const change of u.queues) {
    const s = applyChange(change.queue ? queues.get(change.queue) : null, change);
    if (s === "missed") missed = true;
    else if (s !== "stale") changed = keep(s) || changed;
  }
  if (changed) {
    breaks?.poke();
    render();
  }
  return missed;
}

// Watches what this screen shows and holds what the service answers; false if the link names what cannot be watched.
async function watch(connection: HubConnection): Promise<boolean> {
  if (named.length > 0) {
    let snapshots: QueueSnapshot[];
    try {
      snapshots = (await connection.invoke<LiveUpdate>(LiveMethods.server.watch, named)).queues;
    } catch (e) {
      // The link names something that is not a queue: retrying cannot help, the link must change.
      const message = e instanceof Error ? e.message : String(e);
      if (!message.includes("HubException")) throw e;
      fatal("Wrong link", `This screen's link names queues the service does not accept: ${message.replace(/^.*HubException: /, "")}`);
      return false;
    }
    for (const s of snapshots) replace(s);
  } else {
    const joined = await connection.invoke<LiveUpdate>(LiveMethods.server.watch, null);
    center = joined.center;
    // Fresh state: a queue no longer live goes.
    queues.clear();
    for (const s of joined.queues) replace(s);
  }
  return true;
}

// Keep the highest seq of a queue; a state turning to breach draws the eye.
function keep(s: QueueSnapshot): boolean {
  if (!s.queue) return false;
  if (named.length > 0 && !named.includes(s.queue)) return false;
  const before = queues.get(s.queue);
  if (before && s.seq < before.seq) return false;
  replace(s);
  seen();
  return true;
}

function replace(s: QueueSnapshot): void {
  if (!s.queue) return;
  const before = queues.get(s.queue);
  queues.set(s.queue, s);
  const now = Date.now();
  if (before && worst(s, now) === "breach" && worst(before, now) !== "breach") flashQueue(s.queue);
}

function seen(): void {
  lastUpdate = Date.now();
}

async function loadAlerts(key: string): Promise<void> {
  // The kinds' labels first (once; again after a reconnection if the service did not give them).
  await loadAlertKinds(key);
  try {
    const [open, acked] = await Promise.all([
      api<{ items: Alert[] }>(key, "/api/alerts?state=open&limit=200"),
      api<{ items: Alert[] }>(key, "/api/alerts?state=acknowledged&limit=200"),
    ]);
    alerts.clear();
    for (const a of [...open.items, ...acked.items]) alerts.set(a.id, a);
    renderAlerts();
    render();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) refused(e.status);
  }
}

function alertChanged(a: Alert): void {
  seen();
  const known = alerts.has(a.id);
  if (a.state === "cleared") alerts.delete(a.id);
  else alerts.set(a.id, a);
  if (!known && a.state === "open" && shown(a)) {
    if (a.queue) flashQueue(a.queue);
    flashAlert = a.id;
    beeper.beep(a.severity === "breach");
  }
  renderAlerts();
  render();
}

const shown = (a: Alert) => named.length === 0 || (a.queue !== null && named.includes(a.queue));
let flashAlert = 0;
const flashing = new Map<string, number>();

function flashQueue(queue: string): void {
  flashing.set(queue, Date.now() + 3000);
}

// ---- rendering: every queue, a page at a time when they do not fit at a readable size --------------------------------

const tiles = new Map<string, HTMLElement>();
const rows = new Map<string, HTMLTableRowElement>();
const pages = new Pages(tilesEl, $("page"), options);

function openAlertQueues(): Set<string> {
  return new Set([...alerts.values()].filter((a) => a.state === "open" && a.queue !== null).map((a) => a.queue!));
}

const openAlertsOf = (queue: string, open: Set<string>) =>
  open.has(queue) ? [...alerts.values()].filter((a) => a.queue === queue && a.state === "open").length : 0;

/** Tiles and rows filled as of `now`. */
function drawn(now: number, open: Set<string>): Drawn {
  return {
    tile: (queue) => {
      let tile = tiles.get(queue);
      if (!tile) tiles.set(queue, tile = newTile(queue, options.agents));
      const s = queues.get(queue);
      if (s) fillTile(tile, s, now, openAlertsOf(queue, open), (flashing.get(queue) ?? 0) > now, breaks?.of(queue));
      return tile;
    },
    row: (queue) => {
      let row = rows.get(queue);
      if (!row) rows.set(queue, row = newRow(queue));
      const s = queues.get(queue);
      if (s) fillRow(row, s, now, openAlertsOf(queue, open));
      return row;
    },
  };
}

function render(): void {
  const now = Date.now();
  renderSummary();
  const names = named.length > 0 ? named : [...queues.keys()].sort();
  if (names.length === 0) {
    pages.message(el("div", { class: "empty" }, firstJoinDone ? "No queue has calls, agents or visits yet today." : "Connecting…"));
    return;
  }
  const open = openAlertQueues();
  pages.show(breachFirst(names, (q) => open.has(q) || (queues.has(q) && worst(queues.get(q)!, now) === "breach")), drawn(now, open));
}

// The page timer: the live figures keep coming while the pages turn.
function turnPage(): void {
  if (pages.turn()) render();
}

function renderSummary(): void {
  const summary = $("summary");
  if (!center || named.length > 0) {
    text(summary, named.length === 0 ? "" : named.length <= 4 ? `Queues ${named.join(", ")}` : `${named.length} queues`);
    return;
  }
  text(summary, `${center.callsWaiting} waiting · ${center.agents.available ?? 0} agents available · ${center.agents.busy ?? 0} busy`);
}

const timeOf = () => centerFormat(zone, offset(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
function offset(): string | null {
  const any = center ?? queues.values().next().value;
  return any ? offsetOf(any.windows.today.from) : null;
}

// Open breaches first, then open warnings, then those acknowledged.
const rank = (a: Alert) => (a.state === "open" ? 0 : 2) + (a.severity === "breach" ? 0 : 1);

function renderAlerts(): void {
  const list = [...alerts.values()].filter(shown)
    .sort((a, b) => rank(a) - rank(b) || b.id - a.id);
  const max = 3;
  const at = timeOf();
  const rows = list.slice(0, max).map((a) => {
    // A visit alert says how many of the queue's visits are past which deadline: "12 visits past 24 h — b2c".
    const visits = visitsPast(a);
    const subject = visits ? `— ${alertSubject(a)}` : alertSubject(a);
    const acked = a.state === "acknowledged";
    return el("div", { class: `alert ${a.severity}${acked ? " acknowledged" : ""}${a.id === flashAlert ? " flash" : ""}`, "data-alert": String(a.id) },
      el("span", { class: "mark" }, acked ? "✓ ACK" : a.severity === "breach" ? "▲ BREACH" : "◆ WARNING"),
      el("span", { class: "what" }, visits ?? kindLabel(a.kind)),
      el("span", {}, subject),
      acked && a.acknowledgedBy ? el("span", { class: "by" }, `by ${a.acknowledgedBy}`) : null,
      el("span", { class: "since" }, `since ${at(Date.parse(a.raisedAt))}`));
  });
  flashAlert = 0;
  alertsEl.replaceChildren(
    ...(rows.length === 0 ? [el("div", { class: "alerts-none" }, "✓ No open alerts")] : rows),
    ...(list.length > max ? [el("div", { class: "alerts-more" }, `+ ${list.length - max} more`)] : []));
  alertsEl.querySelectorAll(".alert").forEach((x) => x.setAttribute("role", "listitem"));
  alertsEl.setAttribute("role", "list");
}

function tick(): void {
  const now = Date.now();
  const off = offset();
  text(clock, centerFormat(zone, off, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" })(now));
  text(dateEl, centerFormat(zone, off, { weekday: "long", day: "numeric", month: "long", year: "numeric" })(now));
  if (lostSince > 0) {
    text(banner, `Reconnecting… last update ${Math.round((now - (lastUpdate || lostSince)) / 1000)} s ago`);
    void checkKey(now);
  }
  // The longest wait ticks every second from oldestWaitingSince; flashes end.
  render();
}

// While reconnecting, ask now and then whether the key is still good: a key revoked meanwhile says so, instead of
// "Reconnecting…" for ever.
let keyCheckedAt = 0;
async function checkKey(now: number): Promise<void> {
  if (now - keyCheckedAt < 10_000 || !key) return;
  keyCheckedAt = now;
  try {
    await whoAmI(key);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) refused(e.status);
  }
}

let backTimer = 0;
function showLost(): void {
  if (lostSince === 0) lostSince = Date.now();
  document.body.classList.add("stale");
  clearTimeout(backTimer);
  banner.className = "banner lost";
  banner.hidden = false;
  text(banner, `Reconnecting… last update ${Math.round((Date.now() - (lastUpdate || lostSince)) / 1000)} s ago`);
}

function showBack(): void {
  lostSince = 0;
  document.body.classList.remove("stale");
  banner.className = "banner back";
  banner.hidden = false;
  text(banner, "Connection restored");
  clearTimeout(backTimer);
  backTimer = window.setTimeout(() => { banner.hidden = true; }, 5000);
}

// A link's options the board could not take stay on screen, for whoever set the TV up.
const notice = $("notice");
notice.hidden = options.problems.length === 0;
text(notice, options.problems.join(" · "));
window.addEventListener("resize", () => render());
// Sizes are measured in the page's font: again once it is loaded.
void document.fonts.ready.then(() => {
  pages.remeasure();
  render();
});

void main();
