// The wallboard as a dense table (?layout=table): one row per queue, each figure coloured and marked against its target.
import type { FigureState, QueueSnapshot } from "./live";
import { duration, el, percent, text } from "./common";
import { longest, waitState, worst } from "./wallboard-figures";

// Each column: its key, its heading on two lines (what, then over what).
const columns: [string, string, string][] = [
  ["waiting", "Waiting", "calls"],
  ["longest", "Longest", "wait"],
  ["asa", "ASA", "1 h"],
  ["sl", "Service", "level, 1 h"],
  ["abandoned", "Aban-", "doned, 1 h"],
  ["remote", "Remote", "fix, today"],
  ["staffing", "Agents", "need · have"],
  ["available", "Avail-", "able"],
  ["busy", "Busy", ""],
  ["wrap-up", "Wrap-", "up"],
  ["break", "Break", ""],
  ["visits", "Visits", "open"],
  ["late", "Late", "24 h"],
  ["overdue", "Over-", "due 48 h"],
  ["alerts", "Alerts", "open"],
];

/** The mark that says the state without colour, one sign to a cell: ✓ on target, ◆ near, ▲ over, ▼ under. */
function sign(state: FigureState, under = false): string {
  return state === "ok" ? "✓" : state === "warning" ? "◆" : state === "breach" ? (under ? "▼" : "▲") : "";
}

export function tableHead(): HTMLTableSectionElement {
  return el("thead", {}, el("tr", {},
    el("th", { scope: "col", class: "name" }, el("span", {}, "Queue")),
    ...columns.map(([key, what, over]) => el("th", { scope: "col", "data-col": key }, el("span", {}, what), el("span", { class: "over" }, over)))));
}

export function newRow(queue: string): HTMLTableRowElement {
  return el("tr", { "data-queue": queue },
    el("th", { scope: "row", class: "name", title: queue }, el("span", {}, queue)),
    ...columns.map(([key]) => el("td", { class: "cell", "data-fig": key }, el("span", { class: "fig-value" }, "–"), el("span", { class: "mark" }))));
}

function cell(row: HTMLTableRowElement, key: string, value: string, state: FigureState, under = false): void {
  const c = row.querySelector<HTMLElement>(`[data-fig="${key}"]`)!;
  const cls = `cell ${state}`;
  if (c.className !== cls) c.className = cls;
  c.dataset.state = state;
  text(c.querySelector(".fig-value")!, value);
  text(c.querySelector(".mark")!, sign(state, under));
}

export function fillRow(row: HTMLTableRowElement, s: QueueSnapshot, now: number, openAlerts: number): void {
  const m60 = s.windows.m60;
  const today = s.windows.today;
  const w = worst(s, now);
  row.className = `worst-${w}`;
  row.dataset.state = w;
  const wait = waitState(s, now);
  cell(row, "waiting", String(s.callsWaiting), s.callsWaiting > 0 ? wait : "none");
  cell(row, "longest", duration(longest(s, now)), wait);
  cell(row, "asa", duration(m60.asaSeconds), m60.states.asa);
  cell(row, "sl", percent(m60.serviceLevel), m60.states.serviceLevel, true);
  cell(row, "abandoned", percent(m60.abandonmentRate), m60.states.abandonmentRate);
  cell(row, "remote", percent(today.remoteResolution), today.states.remoteResolution, true);
  const st = s.staffing;
  cell(row, "staffing", st ? `${st.needed ?? "–"} · ${st.has}` : "–", st?.state ?? "none", true);
  const a = s.agents;
  cell(row, "available", String(a.available ?? 0), "none");
  cell(row, "busy", String(a.busy ?? 0), "none");
  cell(row, "wrap-up", String(a.wrap_up ?? 0), "none");
  cell(row, "break", String(a.break ?? 0), "none");
  cell(row, "visits", String(s.visits.open), "none");
  cell(row, "late", String(s.visits.late), s.visits.late > 0 ? "warning" : "none");
  cell(row, "overdue", String(s.visits.overdue), s.states.visit48);
  cell(row, "alerts", String(openAlerts), openAlerts > 0 ? "breach" : "none");
}
