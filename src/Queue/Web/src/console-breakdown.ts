// The console's breakdown of a queue: its figures over a chosen window (today in center time by default) per region,
// language or segment of its calls, each against the queue's targets, from GET /api/metrics/breakdown.
import type { FigureState, LiveTargets, LiveWindow } from "./live";
import { api, downloadCsv, duration, el, percent, problemText, stateMark, text } from "./common";

export type BreakdownBy = "region" | "language" | "segment";

/** A row's SPEC §3 figures, as /api/metrics gives them with the row's value as a filter: a live window's, and its visits'. */
export type BreakdownFigures = Omit<LiveWindow, "from" | "to" | "states"> & {
  due24: number;
  resolvedBy24: number;
  visit24: number | null;
  due48: number;
  overdue48: number;
};

export interface BreakdownRow {
  /** null: calls and visits that carry none. */
  value: string | null;
  figures: BreakdownFigures;
  states: { asa: FigureState; remoteResolution: FigureState; visit24: FigureState; visit48: FigureState };
}

export interface Breakdown { from: string; to: string; queue: string | null; by: BreakdownBy; targets: LiveTargets; rows: BreakdownRow[] }

const labels: Record<BreakdownBy, string> = { region: "Region", language: "Language", segment: "Segment" };
const refreshMs = 60_000;
const minute = 60_000;
const day = 24 * 60 * minute;

/** The windows one can choose: each gives [from, to) from now and the center's midnight today. */
export type BreakdownWindow = "m15" | "m60" | "today" | "yesterday" | "d7";
const windows: Record<BreakdownWindow, { label: string; range: (now: number, midnight: number) => [number, number] }> = {
  m15: { label: "the last 15 minutes", range: (now) => [now - 15 * minute, now] },
  m60: { label: "the last 60 minutes", range: (now) => [now - 60 * minute, now] },
  today: { label: "today", range: (now, midnight) => [midnight, now] },
  // The center keeps one offset all year (SPEC: Asia/Yekaterinburg), so its yesterday is the 24 hours before midnight.
  yesterday: { label: "yesterday", range: (_, midnight) => [midnight - day, midnight] },
  d7: { label: "the last 7 days", range: (now) => [now - 7 * day, now] },
};

export class QueueBreakdown {
  /** The section to place in the drill-down; kept across renders, so the choices stay as made. */
  readonly element: HTMLElement;
  private readonly by: HTMLSelectElement;
  private readonly window: HTMLSelectElement;
  private readonly note: HTMLElement;
  private readonly box: HTMLElement;
  private queue: string | null = null;
  private midnight = "";
  private loadedAt = 0;
  private loading = 0;
  private shown = "";

  /** `at` formats an instant in center time (with its date when asked). */
  constructor(private readonly key: string, private readonly at: (iso: string | null, withDate?: boolean) => string) {
    this.window = el("select", { id: "breakdown-window" },
      ...(Object.keys(windows) as BreakdownWindow[]).map((w) => el("option", { value: w, selected: w === "today" }, windows[w].label)));
    this.by = el("select", { id: "breakdown-by" },
      ...(Object.keys(labels) as BreakdownBy[]).map((b) => el("option", { value: b }, labels[b].toLowerCase())));
    for (const s of [this.window, this.by]) s.addEventListener("change", () => { if (this.queue) void this.load(); });
    const download = el("button", { type: "button", id: "breakdown-csv", class: "download", "aria-label": "Download CSV: breakdown", title: "The table as a CSV file, for a spreadsheet" }, "Download CSV");
    download.addEventListener("click", () => this.download());
    this.note = el("p", { id: "breakdown-note", class: "empty-note", "aria-live": "polite" });
    this.box = el("div", { id: "breakdown-table", class: "scroll", role: "region", "aria-labelledby": "breakdown-title" });
    this.element = el("section", { id: "breakdown", class: "breakdown", "aria-labelledby": "breakdown-title" },
      el("div", { class: "breakdown-head" },
        el("h3", { id: "breakdown-title" }, "Breakdown"),
        el("label", { for: "breakdown-window" }, "Window"), this.window,
        el("label", { for: "breakdown-by" }, "by"), this.by, download),
      this.note, this.box);
  }

  /** Shows `queue`, given its midnight today in center time: read again when the queue or the day changes, or once a minute. */
  show(queue: string, midnight: string): void {
    if (queue === this.queue && midnight === this.midnight && Date.now() - this.loadedAt < refreshMs) return;
    if (queue !== this.queue) this.fill(null);
    this.queue = queue;
    this.midnight = midnight;
    void this.load();
  }

  private async load(): Promise<void> {
    const queue = this.queue!;
    this.loadedAt = Date.now();
    const by = this.by.value as BreakdownBy;
    const choice = this.window.value as BreakdownWindow;
    const [from, to] = windows[choice].range(Date.now(), Date.parse(this.midnight)).map((t) => new Date(t).toISOString());
    const ticket = ++this.loading;
    const q = new URLSearchParams({ from, to, by, queue });
    this.shown = `/api/metrics/breakdown?${q}`;
    try {
      const b = await api<Breakdown>(this.key, `/api/metrics/breakdown?${q}`);
      if (ticket !== this.loading) return; // a later choice or queue is on its way
      const span = `${this.at(b.from, true)} up to ${this.at(b.to, true)}`;
      text(this.note, b.rows.length === 0
        ? `No calls or visits of ${queue} in ${windows[choice].label} (${span}).`
        : `${queue} in ${windows[choice].label}: ${span}, center time, against ${queue}'s targets. "unknown": calls that carry no ${by}.`);
      this.fill(b.rows.length === 0 ? null : this.table(b));
    } catch (e) {
      if (ticket !== this.loading) return;
      text(this.note, `Breakdown: ${problemText(e)}`);
      this.fill(null);
    }
  }

  // The rows on screen: the same window and filters, as the API gives them in CSV.
  private download(): void {
    if (!this.shown) return;
    downloadCsv(this.key, this.shown).catch((e: unknown) => text(this.note, `Download: ${problemText(e)}`));
  }

  // A table may be wider than the panel: the box then takes the focus, so that the arrow keys can scroll it.
  private fill(table: HTMLTableElement | null): void {
    if (table) this.box.replaceChildren(table);
    else this.box.replaceChildren();
    if (table) this.box.tabIndex = 0;
    else this.box.removeAttribute("tabindex");
  }

  private table(b: Breakdown): HTMLTableElement {
    const t = b.targets;
    const heads = [labels[b.by], "Offered", "Answered", `ASA (≤ ${duration(t.waitSeconds)})`, `Service level (in ${duration(t.serviceLevelThresholdSeconds)})`,
      "Abandoned", `Remote (≥ ${percent(t.remote)})`, `Visits ≤ 24 h (≥ ${percent(t.visit24)})`, "Visits past 48 h"];
    return el("table", { class: "grid breakdown-grid" },
      el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...b.rows.map((r) => {
        const f = r.figures;
        return el("tr", { "data-value": r.value ?? "" },
          el("th", { scope: "row", class: r.value === null ? "unknown" : undefined }, r.value ?? "unknown"),
          cell("offered", String(f.answered + f.abandoned + f.shortAbandoned)),
          cell("answered", String(f.answered)),
          cell("asa", duration(f.asaSeconds), r.states.asa),
          cell("serviceLevel", percent(f.serviceLevel)),
          cell("abandonmentRate", percent(f.abandonmentRate)),
          cell("remoteResolution", percent(f.remoteResolution), r.states.remoteResolution, true),
          cell("visit24", percent(f.visit24), r.states.visit24, true),
          cell("overdue48", f.due48 === 0 ? "–" : `${f.overdue48} of ${f.due48}`, r.states.visit48, true));
      })));
  }
}

/** A figure's cell: coloured by its state, which a mark says too (never colour alone): "0:45 ▲", read as "0:45, OVER target". */
function cell(name: string, value: string, state: FigureState = "none", under = false): HTMLTableCellElement {
  const mark = stateMark(state, under);
  const [symbol, ...words] = mark.split(" ");
  return el("td", { class: `num ${state}`, "data-figure": name, "data-state": state, title: mark || undefined },
    el("span", { class: "v" }, value),
    mark ? el("span", { class: "cell-mark", "aria-hidden": "true" }, ` ${symbol}`) : null,
    mark ? el("span", { class: "visually-hidden" }, `, ${words.join(" ")}`) : null);
}
