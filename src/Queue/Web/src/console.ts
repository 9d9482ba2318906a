// The supervisor console: open alerts with acknowledgement, alert history, and a queue's drill-down with today's trend.
import type uPlot from "uplot";
import type { HubConnection } from "@microsoft/signalr";
import type { Alert, FigureState, LiveChanges, LiveUpdate, QueueDetail, QueueSnapshot } from "./live";
import { LiveMethods, Watching, applyChange } from "./live";
import {
  ApiError, type Me, api, centerFormat, connectLive, duration, el, offsetOf, percent, problemText, secondsSince, takeKey, text, whoAmI,
} from "./common";
import { loadAlertKinds } from "./alert-kinds";
import { drawTrend, type Trend } from "./trend";
import { type AlertPage, AlertHistory } from "./console-history";
import { staffingFigures } from "./staffing";
import { QueueBreakdown } from "./console-breakdown";
import { QueueCallbacks } from "./console-callbacks";
import { AgentsView } from "./console-agents";
import { figure, table } from "./console-parts";
import { AlertItems } from "./console-alert-item";
import { visitTable } from "./console-visits";
import { DetailWatcher } from "./console-detail";


const storageName = "queue.console.key";
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const banner = $("banner");
const snapshots = new Map<string, QueueSnapshot>();
const live = new Map<number, Alert>(); // open and acknowledged
let key = "";
const watcher = new DetailWatcher(() => key);
let zone: string | null = null;
let detail: QueueDetail | null = null;
let chart: uPlot | null = null;
let lostSince = 0;
let lastUpdate = 0;
let joinedOnce = false;
let alertHistory: AlertHistory | null = null;
let breakdown: QueueBreakdown | null = null;
let callbacks: QueueCallbacks | null = null;
let agents: AgentsView | null = null;

// ---- signing in ----------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  $("signin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const value = ($("signin-key") as HTMLInputElement).value.trim();
    if (value) void signIn(value);
  });
  $("signout").addEventListener("click", () => {
    localStorage.removeItem(storageName);
    location.reload();
  });
  // The link past the queues: the section takes the focus, so the next Tab reaches its first alert.
  $("skip").addEventListener("click", (e) => {
    e.preventDefault();
    $("open-alerts").focus();
  });
  const stored = takeKey(storageName);
  if (stored) await signIn(stored);
  else showSignIn("Paste your supervisor API key.", false);
}

function showSignIn(message: string, refused: boolean): void {
  $("main").hidden = true;
  $("signout").hidden = true;
  $("skip").hidden = true;
  $("signin").hidden = false;
  const m = $("signin-message");
  m.className = refused ? "refused" : "";
  text(m, message);
  $("signin-key").focus();
}

async function signIn(candidate: string): Promise<void> {
  let me: Me | null;
  try {
    me = await whoAmI(candidate);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return showSignIn("This key was refused (401): it is wrong or was revoked. Ask an admin for a new one.", true);
    return showSignIn(`The service did not answer (${problemText(e)}). Try again in a moment.`, true);
  }
  if (me && me.role !== "supervisor" && me.role !== "admin")
    return showSignIn(`This key (${me.name}, role ${me.role}) may not use the console (403): it needs the supervisor role.`, true);
  key = candidate;
  localStorage.setItem(storageName, key);
  zone = me?.timeZone ?? null;
  text($("who"), me ? `${me.name} (${me.role})` : "");
  $("signin").hidden = true;
  $("signout").hidden = false;
  $("skip").hidden = false;
  $("main").hidden = false;
  await loadAlertKinds(key);
  alertHistory = new AlertHistory(key, at);
  void loadOpenAlerts();
  void alertHistory.load(null);
  breakdown = new QueueBreakdown(key, at);
  callbacks = new QueueCallbacks(key, at);
  agents = new AgentsView(key, at);
  window.addEventListener("hashchange", () => void selectQueue());
  window.addEventListener("resize", () => { if (detail) void loadTrend(detail.snapshot.queue!); });
  setInterval(tick, 1000);
  connectLive(key, { joined, lost, refused: (s) => showSignIn(`The live connection refused this key (${s}).`, true) });
}

// ---- live ----------------------------------------------------------------------------------------------------------

async function joined(connection: HubConnection, again: boolean): Promise<void> {
  connection.off(LiveMethods.client.updated);
  connection.off(LiveMethods.client.detailUpdated);
  connection.off(LiveMethods.client.alertChanged);
  // One message a publishing round: the queues that changed, against what this console holds.
  const watching = new Watching((u) => applied(u), async () => {
    await watchCenter(connection);
    renderNav();
    return true;
  });
  connection.on(LiveMethods.client.updated, (u: LiveChanges) => watching.received(u));
  connection.on(LiveMethods.client.detailUpdated, (d: QueueDetail) => {
    lastUpdate = Date.now();
    if (!detail || d.snapshot.queue !== detail.snapshot.queue) return;
    if (d.snapshot.seq < detail.snapshot.seq) d.snapshot = detail.snapshot;
    detail = d;
    renderDetail();
  });
  connection.on(LiveMethods.client.alertChanged, (a: Alert) => {
    lastUpdate = Date.now();
    alertChanged(a);
  });
  await watching.again();
  if (again) {
    void loadOpenAlerts();
    if (lostSince > 0 || joinedOnce) showBack();
  }
  joinedOnce = true;
  agents?.read();
  watcher.connected(connection);
  await selectQueue();
}

// Applies a round's changes; answers whether one was against another snapshot than the one held.
function applied(u: LiveChanges): boolean {
  lastUpdate = Date.now();
  let changed = false;
  let missed = false;
  for (const change of u.queues) {
    if (!change.queue) continue;
    const s = applyChange(snapshots.get(change.queue), change);
    if (s === "missed") missed = true;
    if (s === "missed" || s === "stale") continue;
    snapshots.set(change.queue, s);
    changed = true;
    if (detail && detail.snapshot.queue === s.queue && s.seq > detail.snapshot.seq) {
      detail.snapshot = s;
      renderDetail();
    }
  }
  if (changed) {
    renderNav();
    callbacks?.changed();
    agents?.changed();
  }
  return missed;
}

// Watches the whole center (a team's for a scoped key) and holds what the service answers.
async function watchCenter(connection: HubConnection): Promise<void> {
  const center = await connection.invoke<LiveUpdate>(LiveMethods.server.watch, null);
  lastUpdate = Date.now();
  snapshots.clear();
  for (const s of center.queues) if (s.queue) snapshots.set(s.queue, s);
  if (!offset && center.center) offset = offsetOf(center.center.windows.today.from);
}

let offset: string | null = null;
const at = (iso: string | null, withDate = false) =>
  iso ? centerFormat(zone, offset, withDate ? { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" } : { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" })(Date.parse(iso)) : "–";

function lost(): void {
  if (lostSince === 0) lostSince = Date.now();
  banner.className = "banner lost";
  banner.hidden = false;
  tick();
}

let backTimer = 0;
function showBack(): void {
  lostSince = 0;
  banner.className = "banner back";
  banner.hidden = false;
  text(banner, "Connection restored");
  clearTimeout(backTimer);
  backTimer = window.setTimeout(() => { banner.hidden = true; }, 5000);
}

function tick(): void {
  const now = Date.now();
  text($("clock"), centerFormat(zone, offset, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" })(now));
  if (lostSince > 0) text(banner, `Reconnecting… last update ${Math.round((now - (lastUpdate || lostSince)) / 1000)} s ago`);
  document.querySelectorAll<HTMLElement>("[data-since]").forEach((e) => text(e, duration(secondsSince(e.dataset.since!, now))));
}

// ---- queues --------------------------------------------------------------------------------------------------------

const order: FigureState[] = ["none", "ok", "warning", "breach"];
const worst = (s: QueueSnapshot): FigureState =>
  [s.states.longestWait, s.windows.m60.states.asa, s.windows.m60.states.serviceLevel, s.windows.m60.states.abandonmentRate, s.windows.today.states.remoteResolution, s.states.visit48]
    .reduce((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a), "none" as FigureState);

function selectedQueue(): string | null {
  const q = new URLSearchParams(location.hash.replace(/^#/, "")).get("queue");
  return q ?? ([...snapshots.keys()].sort()[0] ?? null);
}

function renderNav(): void {
  const current = selectedQueue();
  const links = [...snapshots.keys()].sort().map((q) => {
    const state = worst(snapshots.get(q)!);
    return el("a", { href: `#queue=${encodeURIComponent(q)}`, class: state, "aria-current": q === current ? "page" : undefined,
      title: state === "breach" ? "past a target" : state === "warning" ? "near a target" : undefined }, q);
  });
  const nav = $("queues");
  const focused = document.activeElement instanceof HTMLAnchorElement && nav.contains(document.activeElement) ? document.activeElement.textContent : null;
  nav.replaceChildren(...links);
  if (focused) links.find((a) => a.textContent === focused)?.focus();
}

async function selectQueue(): Promise<void> {
  renderNav();
  const q = selectedQueue();
  if (!q) {
    text($("drill-title"), "Queue");
    $("drill").replaceChildren(el("p", { class: "empty-note" }, "No queue has calls, agents or visits yet today."));
    return;
  }
  await loadDetail(q, true);
}

async function loadDetail(queue: string, withTrend: boolean): Promise<void> {
  try {
    detail = await watcher.watch(queue);
  } catch (e) {
    $("drill").replaceChildren(el("p", { class: "error" }, problemText(e)));
    return;
  }
  const pushed = snapshots.get(queue);
  if (pushed && pushed.seq > detail.snapshot.seq) detail.snapshot = pushed;
  renderDetail();
  if (withTrend) await loadTrend(queue);
}

let trendAt = 0;
async function loadTrend(queue: string): Promise<void> {
  const box = document.getElementById("trend");
  if (!box) return;
  try {
    const trend = await api<Trend>(key, `/api/queues/${encodeURIComponent(queue)}/trend`);
    chart = drawTrend(box, trend, chart && box.contains(chart.root) ? chart : null);
    trendAt = Date.now();
    text($("trend-note"), trend.buckets.length === 0 ? "No calls yet today." : `Today (${trend.day}), 15-minute buckets, ${trend.timeZone} time.`);
  } catch (e) {
    text($("trend-note"), e instanceof ApiError && e.status === 404 ? "Today's trend is not available from this service." : `Trend: ${problemText(e)}`);
  }
}

function renderDetail(): void {
  if (!detail) return;
  const { snapshot: s, waiting, agentList } = detail;
  const q = s.queue!;
  text($("drill-title"), `Queue ${q}`);
  const t = s.targets;
  const m60 = s.windows.m60;
  const today = s.windows.today;
  const unknown = today.resolutionUnknown === 0 ? "" : ` · ${today.resolutionUnknown} outcome${today.resolutionUnknown === 1 ? "" : "s"} not told yet`;
  const figures = el("div", { class: "figures" },
    figure({ key: "calls-waiting", label: "Calls waiting", value: String(s.callsWaiting), state: "none" }),
    figure({ key: "longest-wait", label: "Longest wait now", value: duration(s.longestWaitSeconds), state: s.states.longestWait,
      note: `target ≤ ${duration(t.waitSeconds)}`, since: s.oldestWaitingSince }),
    figure({ key: "asa", label: "Average wait to answer, last hour", value: duration(m60.asaSeconds), state: m60.states.asa,
      note: `target ≤ ${duration(t.waitSeconds)}` }),
    figure({ key: "service-level", label: `Answered within ${duration(t.serviceLevelThresholdSeconds)}, last hour`, value: percent(m60.serviceLevel),
      state: m60.states.serviceLevel, under: true, note: t.serviceLevel === null ? "no target set" : `target ≥ ${percent(t.serviceLevel)}` }),
    figure({ key: "abandoned", label: "Hung up waiting, last hour", value: percent(m60.abandonmentRate), state: m60.states.abandonmentRate,
      note: `${m60.abandoned} call${m60.abandoned === 1 ? "" : "s"} · ${t.abandonment === null ? "no limit set" : `limit ≤ ${percent(t.abandonment)}`}` }),
    figure({ key: "remote", label: "Solved on the call, today", value: percent(today.remoteResolution), state: today.states.remoteResolution,
      under: true, note: `target ≥ ${percent(t.remote)}${unknown}` }),
    figure({ key: "answered-today", label: "Answered today", value: String(today.answered), state: "none" }),
    figure({ key: "visits-open", label: "Technician visits open", value: String(s.visits.open), state: "none" }),
    figure({ key: "visits-late", label: "Visits past 24 h", value: String(s.visits.late), state: s.visits.late > 0 ? "warning" : "ok",
      note: `target: ${percent(t.visit24)} solved within 24 h` }),
    figure({ key: "visits-overdue", label: "Visits past 48 h", value: String(s.visits.overdue),
      state: s.states.visit48 === "breach" || s.visits.overdue > 0 ? "breach" : "ok", note: "target: every visit within 48 h" }),
    ...(s.staffing ? staffingFigures(s.staffing, t).map(figure) : []),
  );

  const waitingTable = table(["Call", "Waiting since", "Wait", "Region", "Segment"],
    waiting.map((w) => [w.callId, at(w.since), { since: w.since, text: duration(w.waitSeconds) }, w.region ?? "", w.segment ?? ""]), "No calls waiting.");
  const agentsTable = table(["Agent", "Status", "For", "Answered today", "Missed today", "Avg talk"],
    [...agentList].sort((a, b) => statusOrder.indexOf(a.status) - statusOrder.indexOf(b.status) || a.agentId.localeCompare(b.agentId))
      .map((a) => [a.agentId, { text: a.status.replace("_", "-") + (a.reason ? ` · ${a.reason}` : ""), cls: `status-${a.status}` }, { since: a.since, text: duration(a.statusSeconds) },
        { text: String(a.answeredToday), cls: "num" }, { text: String(a.missedToday), cls: "num" }, { text: duration(a.averageHandleSeconds), cls: "num" }]),
    "No agents in this queue.");
  const visitsTable = visitTable([...live.values()], q);

  let trendBox = document.getElementById("trend");
  const drill = $("drill");
  if (!trendBox || drill.dataset.queue !== q) {
    drill.dataset.queue = q;
    chart?.destroy();
    chart = null;
    trendBox = el("div", { id: "trend", class: "trend", role: "img", "aria-label": `Today's trend of ${q}: calls offered, ASA and service level per 15 minutes` });
    drill.replaceChildren(el("div", { id: "figures" }), el("h3", {}, "Today"), el("p", { id: "trend-note", class: "empty-note" }), trendBox,
      el("div", { id: "tables", class: "columns" }), callbacks?.element ?? "", breakdown?.element ?? "");
  }
  $("figures").replaceChildren(figures);
  $("tables").replaceChildren(
    el("div", {}, el("h3", {}, `Waiting calls (${waiting.length}), longest first`), waitingTable, el("h3", {}, `Late and overdue visits (${s.visits.late} late, ${s.visits.overdue} overdue)`), visitsTable),
    el("div", {}, el("h3", {}, `Agents (${agentList.length})`), el("div", { class: "scroll" }, agentsTable)));
  if (Date.now() - trendAt > 60_000) void loadTrend(q);
  breakdown?.show(q, today.from);
  callbacks?.show(q);
}

const statusOrder = ["available", "busy", "wrap_up", "break", "offline"];

// ---- open alerts and acknowledgement -------------------------------------------------------------------------------

async function loadOpenAlerts(): Promise<void> {
  // Kinds the service did not give at sign-in are asked for again (after a reconnection, say).
  if (await loadAlertKinds(key)) alertHistory?.listKinds();
  try {
    const [open, acked] = await Promise.all([
      api<AlertPage>(key, "/api/alerts?state=open&limit=500"),
      api<AlertPage>(key, "/api/alerts?state=acknowledged&limit=500"),
    ]);
    live.clear();
    for (const a of [...open.items, ...acked.items]) live.set(a.id, a);
    renderOpen();
  } catch (e) {
    $("open-list").replaceChildren(el("li", { class: "error" }, problemText(e)));
  }
}

function alertChanged(a: Alert): void {
  if (a.state === "cleared") live.delete(a.id);
  else live.set(a.id, a);
  renderOpen();
  alertHistory?.update(a);
  if (detail && a.queue === detail.snapshot.queue) renderDetail();
}

function renderOpen(): void {
  const list = $("open-list");
  // Open breaches first, then open warnings, then those acknowledged; newest first in each.
  const rank = (a: Alert) => (a.state === "open" ? 0 : 2) + (a.severity === "breach" ? 0 : 1);
  const alerts = [...live.values()].sort((a, b) => rank(a) - rank(b) || b.id - a.id);
  const openCount = alerts.filter((a) => a.state === "open").length;
  const count = $("open-count");
  count.className = `count${openCount === 0 ? " zero" : ""}`;
  text(count, String(openCount));
  const items = alerts.map((a) => alertItems.of(a));
  for (const li of [...list.children]) if (!items.includes(li as HTMLLIElement)) li.remove();
  items.forEach((li, i) => { if (list.children[i] !== li) list.insertBefore(li, list.children[i] ?? null); });
  if (items.length === 0) list.replaceChildren(el("li", { class: "empty-note" }, "✓ No open alerts."));
}

async function acknowledge(id: number, note: string): Promise<void> {
  alertChanged(await api<Alert>(key, `/api/alerts/${id}/ack`, { note }));
  // The form is gone with the acknowledgement: the focus stays on the alert, now saying who acknowledged it.
  alertItems.focus(id);
}

const alertItems = new AlertItems(at, acknowledge);

void main();
