// A queue's tile on the wallboard: its six figures, each against its target, its agents and visits, and its open
// alerts. Every size in it is in em of the tile's text (wallboard.css), so a tile measured at one size fits at any.
import type { FigureState, QueueSnapshot } from "./live";
import { duration, el, percent, text } from "./common";
import type { AgentNow } from "./console-agents";
import { fillAgents } from "./staffing";
import { fillBreaks, newBreaks } from "./wallboard-breaks";
import { longest, mark, waitState, worst } from "./wallboard-figures";

export function newTile(queue: string, breaks = false): HTMLElement {
  const fig = (name: string, label: string) =>
    el("div", { class: "fig", "data-fig": name },
      el("div", { class: "fig-label" }, label),
      el("div", { class: "fig-value" }, "–"),
      el("div", { class: "fig-note" }),
      el("div", { class: "fig-foot" }, el("span", { class: "target" }), el("span", { class: "mark" })));
  return el("article", { class: "tile", "data-queue": queue, "aria-label": `Queue ${queue}` },
    el("div", { class: "tile-head" }, el("div", { class: "tile-name", title: queue }, queue), el("div", { class: "tile-alerts" })),
    el("div", { class: "row hero" }, fig("waiting", "Waiting"), fig("longest", "Longest wait"), fig("asa", "ASA")),
    el("div", { class: "row rates" }, fig("sl", "Service level"), fig("abandoned", "Abandoned"), fig("remote", "Remote fix")),
    el("div", { class: "bottom" },
      el("div", { class: "counts", "data-fig": "agents" }),
      el("div", { class: "counts", "data-fig": "visits" })),
    breaks ? newBreaks() : null);
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

/**
 * Fills a queue's tile with its snapshot as of `now`; `flash` while a new alert or breach draws the eye; `onBreak`, on a
 * tile made with breaks, the queue's agents on break.
 */
export function fillTile(tile: HTMLElement, s: QueueSnapshot, now: number, openAlerts: number, flash: boolean, onBreak: AgentNow[] = []): void {
  const t = s.targets;
  const m60 = s.windows.m60;
  const today = s.windows.today;
  const w = worst(s, now);
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
  const breaks = tile.querySelector<HTMLElement>('[data-fig="breaks"]');
  if (breaks) fillBreaks(breaks, onBreak, now);
  const count = openAlerts;
  const badge = tile.querySelector<HTMLElement>(".tile-alerts")!;
  badge.className = `tile-alerts ${count > 0 ? "some" : "none"}`;
  text(badge, count > 0 ? `▲ ${count} alert${count > 1 ? "s" : ""}` : "no alerts");
}
