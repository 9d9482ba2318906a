// The wallboard: every queue (or those in ?queues=) live over SignalR, each figure against its target.
import type { HubConnection } from "@microsoft/signalr";
import type { Alert, CenterJoined, FigureState, QueueSnapshot } from "./live";
import { LiveMethods } from "./live";
import {
  ApiError, api, centerFormat, connectLive, duration, el, offsetOf, percent, takeKey, text, whoAmI,
} from "./common";
import { alertSubject, kindLabel, loadAlertKinds, visitsPast } from "./alert-kinds";
import { Beeper } from "./sound";
import { fillAgents } from "./staffing";
import { longest, mark, waitState, worst } from "./wallboard-figures";
import type { Fit, Natural } from "./wallboard-layout";
import { boardOptions, breachFirst, fit, onPage, readableUnit } from "./wallboard-layout";
import { fillRow, newRow, tableHead } from "./wallboard-table";

const $ = (id: string) => document.getElementById(id)!;
const tilesEl = $("tiles");
const alertsEl = $("alerts");
const banner = $("banner");
const clock = $("clock");
const dateEl = $("date");
const pageEl = $("page");
const options = boardOptions(location.search);

const named = (new URLSearchParams(location.search).get("queues") ?? "")
  .split(",").map((q) => q.trim()).filter(Boolean);
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
  connection.off(LiveMethods.client.queueUpdated);
  connection.off(LiveMethods.client.centerUpdated);
  connection.off(LiveMethods.client.alertChanged);
  connection.on(LiveMethods.client.queueUpdated, (s: QueueSnapshot) => { if (keep(s)) render(); });
  connection.on(LiveMethods.client.centerUpdated, (s: QueueSnapshot) => { center = s; seen(); renderSummary(); });
  connection.on(LiveMethods.client.alertChanged, (a: Alert) => alertChanged(a));
  if (named.length > 0) {
    let snapshots: QueueSnapshot[];
    try {
      snapshots = await connection.invoke<QueueSnapshot[]>(LiveMethods.server.joinQueues, named);
    } catch (e) {
      // The link names something that is not a queue: retrying cannot help, the link must change.
      const message = e instanceof Error ? e.message : String(e);
      if (!message.includes("HubException")) throw e;
      fatal("Wrong link", `This screen's link names queues the service does not accept: ${message.replace(/^.*HubException: /, "")}`);
      return;
    }
    for (const s of snapshots) replace(s);
  } else {
    const joined = await connection.invoke<CenterJoined>(LiveMethods.server.joinCenter);
    center = joined.center;
    // Fresh state: a queue no longer live goes.
    queues.clear();
    for (const s of joined.queues) replace(s);
  }
  seen();
  render();
  if (again) void loadAlerts(key);
  if (lostSince > 0 || (again && firstJoinDone)) showBack();
  firstJoinDone = true;
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

// ---- rendering -----------------------------------------------------------------------------------------------------

function tileFor(queue: string): HTMLElement {
  let tile = tiles.get(queue);
  if (tile) return tile;
  const fig = (name: string, label: string) =>
    el("div", { class: "fig", "data-fig": name },
      el("div", { class: "fig-label" }, label),
      el("div", { class: "fig-value" }, "–"),
      el("div", { class: "fig-note" }),
      el("div", { class: "fig-foot" }, el("span", { class: "target" }), el("span", { class: "mark" })));
  tile = el("article", { class: "tile", "data-queue": queue, "aria-label": `Queue ${queue}` },
    el("div", { class: "tile-head" }, el("div", { class: "tile-name", title: queue }, queue), el("div", { class: "tile-alerts" })),
    el("div", { class: "row hero" }, fig("waiting", "Waiting"), fig("longest", "Longest wait"), fig("asa", "ASA")),
    el("div", { class: "row rates" }, fig("sl", "Service level"), fig("abandoned", "Abandoned"), fig("remote", "Remote fix")),
    el("div", { class: "bottom" },
      el("div", { class: "counts", "data-fig": "agents" }),
      el("div", { class: "counts", "data-fig": "visits" })));
  tiles.set(queue, tile);
  return tile;
}

function setFig(tile: HTMLElement, name: string, value: string, state: FigureState, note: string, target: string, under = false): void {
  const f = tile.querySelector<HTMLElement>(`[data-fig="${name}"]`)!;
  const cls = `fig ${state}`;
  if (f.className !== cls) f.className = cls;
  f.dataset.state = state;
  text(f.querySelector(".fig-value")!, value);
  text(f.querySelector(".fig-note")!, note);
  text(f.querySelector(".target")!, target);
  text(f.querySelector(".mark")!, mark(state, under));
}

function setCounts(box: HTMLElement, state: FigureState, parts: [string, number][]): void {
  box.className = `counts ${state}`;
  box.dataset.state = state;
  box.replaceChildren(...parts.map(([what, n]) => el("span", {}, el("b", {}, String(n)), " ", el("span", { class: "what" }, what))));
  if (state === "breach" || state === "warning") box.append(el("span", { class: "mark" }, mark(state)));
}

// ---- layout: every queue, a page at a time when they do not fit at a readable size --------------------------------

const tiles = new Map<string, HTMLElement>();
const rows = new Map<string, HTMLTableRowElement>();
// Where tiles and rows are measured, out of sight, at a text size of 100 px: their size in em, whatever the screen.
const measureBox = el("div", { class: "measure", "aria-hidden": "true" });
document.body.append(measureBox);
const gapEm = 0.5; // between tiles, in em of their text (.tiles gap)
let measured: { key: string; size: Natural } | null = null;
let current: Fit | null = null;
let page = 0;

function openAlertQueues(): Set<string> {
  return new Set([...alerts.values()].filter((a) => a.state === "open" && a.queue !== null).map((a) => a.queue!));
}

function area(): { width: number; height: number } {
  const style = getComputedStyle(tilesEl);
  return {
    width: tilesEl.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
    height: tilesEl.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom),
  };
}

function measure(names: string[], now: number, open: Set<string>): Natural {
  // A little room over what is measured: text drawn at another size rounds differently.
  const room = 1.03;
  if (options.layout === "table") {
    const body = el("tbody", {}, ...names.map((q) => rowOf(q, now, open)));
    const table = el("table", { class: "board-table" }, tableHead(), body);
    measureBox.replaceChildren(table);
    const head = table.tHead!.getBoundingClientRect().height;
    const row = Math.max(...[...body.rows].map((r) => r.getBoundingClientRect().height));
    const size = { width: table.getBoundingClientRect().width * room / 100, height: row * room / 100, head: head * room / 100 };
    measureBox.replaceChildren();
    return size;
  }
  const all = names.map((q) => tileOf(q, now, open));
  measureBox.replaceChildren(...all);
  let width = 0;
  let height = 0;
  for (const t of all) {
    const r = t.getBoundingClientRect();
    width = Math.max(width, r.width);
    height = Math.max(height, r.height);
  }
  measureBox.replaceChildren();
  return { width: width * room / 100, height: height * room / 100, head: 0 };
}

function layout(names: string[], now: number, open: Set<string>): Fit {
  const space = area();
  const key = `${options.layout} ${space.width}×${space.height} ${[...names].sort().join(",")}`;
  if (measured?.key !== key) {
    measured = { key, size: measure(names, now, open) };
    const { width, height, head } = measured.size;
    tilesEl.dataset.natural = `${width.toFixed(2)}×${height.toFixed(2)} em${head > 0 ? ` under a head of ${head.toFixed(2)}` : ""}`;
  }
  return fit(names.length, space, measured.size, gapEm, readableUnit(innerWidth, innerHeight), options.layout);
}

function tileOf(queue: string, now: number, open: Set<string>): HTMLElement {
  const tile = tileFor(queue);
  const s = queues.get(queue);
  if (s) fill(tile, s, now, open);
  return tile;
}

function rowOf(queue: string, now: number, open: Set<string>): HTMLTableRowElement {
  let row = rows.get(queue);
  if (!row) rows.set(queue, row = newRow(queue));
  const s = queues.get(queue);
  if (s) fillRow(row, s, now, open.has(queue) ? [...alerts.values()].filter((a) => a.queue === queue && a.state === "open").length : 0);
  return row;
}

function draw(names: string[], f: Fit, now: number, open: Set<string>): void {
  const unit = `${Math.floor(f.unit * 10) / 10}px`;
  tilesEl.dataset.unit = unit;
  tilesEl.dataset.layout = options.layout;
  if (options.layout === "table") {
    tilesEl.className = "tiles table";
    tilesEl.style.gridTemplateColumns = "";
    tilesEl.style.gridTemplateRows = "";
    let table = tilesEl.querySelector<HTMLTableElement>(":scope > table");
    if (!table) table = el("table", { class: "board-table" }, tableHead(), el("tbody"));
    table.style.fontSize = unit;
    const body = table.tBodies[0];
    const shown = names.map((q) => rowOf(q, now, open));
    if (shown.length !== body.rows.length || shown.some((r, i) => body.rows[i] !== r)) body.replaceChildren(...shown);
    if (tilesEl.firstElementChild !== table || tilesEl.childElementCount !== 1) tilesEl.replaceChildren(table);
    return;
  }
  tilesEl.className = "tiles";
  tilesEl.style.setProperty("--u", unit);
  tilesEl.style.gridTemplateColumns = `repeat(${f.columns}, minmax(0, 1fr))`;
  tilesEl.style.gridTemplateRows = `repeat(${f.rows}, minmax(0, 1fr))`;
  const shown = names.map((q) => tileOf(q, now, open));
  if (shown.length !== tilesEl.children.length || shown.some((t, i) => tilesEl.children[i] !== t)) tilesEl.replaceChildren(...shown);
}

// Anything cut off: a figure grew past what was measured (a wait past an hour, a count of four digits).
function overflowing(): boolean {
  const cut = (e: Element) => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1;
  return cut(tilesEl) || [...tilesEl.querySelectorAll(".tile, .fig, .counts")].some(cut);
}

function render(): void {
  const now = Date.now();
  renderSummary();
  const names = named.length > 0 ? named : [...queues.keys()].sort();
  if (names.length === 0) {
    tilesEl.className = "tiles";
    tilesEl.style.gridTemplateColumns = "";
    tilesEl.style.gridTemplateRows = "";
    tilesEl.replaceChildren(el("div", { class: "empty" }, firstJoinDone ? "No queue has calls, agents or visits yet today." : "Connecting…"));
    current = null;
    showPage();
    return;
  }
  const open = openAlertQueues();
  const order = breachFirst(names, (q) => open.has(q) || (queues.has(q) && worst(queues.get(q)!, now) === "breach"));
  current = layout(order, now, open);
  if (page >= current.pages) page = 0;
  draw(onPage(order, page, current.perPage), current, now, open);
  if (overflowing()) {
    measured = null;
    current = layout(order, now, open);
    if (page >= current.pages) page = 0;
    draw(onPage(order, page, current.perPage), current, now, open);
  }
  showPage();
}

function showPage(): void {
  const pages = current?.pages ?? 1;
  tilesEl.dataset.page = String(page + 1);
  tilesEl.dataset.pages = String(pages);
  pageEl.hidden = pages <= 1;
  text(pageEl, `page ${page + 1} of ${pages}`);
}

// The page timer: the live figures keep coming while the pages turn.
function turnPage(): void {
  if (!current || current.pages <= 1) return;
  page = (page + 1) % current.pages;
  render();
}

function fill(tile: HTMLElement, s: QueueSnapshot, now: number, open: Set<string>): void {
  const t = s.targets;
  const m60 = s.windows.m60;
  const today = s.windows.today;
  const w = worst(s, now);
  const flash = (flashing.get(s.queue!) ?? 0) > now;
  const cls = `tile worst-${w}${flash ? " flash" : ""}`;
  if (tile.className !== cls) tile.className = cls;
  tile.dataset.state = w;
  // The longest wait ticks here between pushes, and so does its state.
  const wait = longest(s, now);
  const waitNow = waitState(s, now);
  setFig(tile, "waiting", String(s.callsWaiting), s.callsWaiting > 0 ? waitNow : "none", "calls now", "");
  setFig(tile, "longest", duration(wait), waitNow, "now", `≤ ${duration(t.waitSeconds)}`);
  setFig(tile, "asa", duration(m60.asaSeconds), m60.states.asa, "last hour", `≤ ${duration(t.waitSeconds)}`);
  setFig(tile, "sl", percent(m60.serviceLevel), m60.states.serviceLevel, `1 h · in ${duration(t.serviceLevelThresholdSeconds)}`,
    t.serviceLevel === null ? "no target" : `≥ ${percent(t.serviceLevel)}`, true);
  setFig(tile, "abandoned", percent(m60.abandonmentRate), m60.states.abandonmentRate, `1 h · ${m60.abandoned} call${m60.abandoned === 1 ? "" : "s"}`,
    t.abandonment === null ? "no limit" : `≤ ${percent(t.abandonment)}`);
  setFig(tile, "remote", percent(today.remoteResolution), today.states.remoteResolution,
    `today${today.resolutionUnknown > 0 ? ` · ${today.resolutionUnknown} unknown` : ""}`, `≥ ${percent(t.remote)}`, true);
  const a = s.agents;
  fillAgents(tile.querySelector<HTMLElement>('[data-fig="agents"]')!,
    [["available", a.available ?? 0], ["busy", a.busy ?? 0], ["wrap-up", a.wrap_up ?? 0], ["break", a.break ?? 0]], s.staffing);
  setCounts(tile.querySelector<HTMLElement>('[data-fig="visits"]')!, s.states.visit48,
    [["visits open", s.visits.open], ["late", s.visits.late], ["overdue", s.visits.overdue]]);
  const count = open.has(s.queue!) ? [...alerts.values()].filter((x) => x.queue === s.queue && x.state === "open").length : 0;
  const badge = tile.querySelector<HTMLElement>(".tile-alerts")!;
  badge.className = `tile-alerts ${count > 0 ? "some" : "none"}`;
  text(badge, count > 0 ? `▲ ${count} alert${count > 1 ? "s" : ""}` : "no alerts");
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
  measured = null;
  render();
});

void main();
