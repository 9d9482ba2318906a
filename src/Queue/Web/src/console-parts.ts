// The console's building blocks: a figure against its target, and a table of cells.
import type { FigureState } from "./live";
import { el, stateMark } from "./common";

/** One figure of a tile: what it is in a supervisor's words, its value, and its target or what it stands on. */
export interface Figure {
  /** Stable name for scripts and tests (data-figure). */
  key: string;
  label: string;
  value: string;
  state: FigureState;
  /** "target ≤ 0:30", "no target", "of 11 agents": one short line under the value. */
  note?: string;
  /** The figure is good when low (its mark then says under target rather than over). */
  under?: boolean;
  /** The value ticks as a duration from this instant. */
  since?: string | null;
}

/** A figure tile, marked by shape and word for its state. */
export function figure(f: Figure): HTMLElement {
  const v = el("div", { class: "value" }, f.value);
  if (f.since) v.dataset.since = f.since;
  return el("div", { class: `figure ${f.state}`, "data-state": f.state, "data-figure": f.key },
    el("div", { class: "label" }, f.label), v,
    f.note ? el("div", { class: "note" }, f.note) : null,
    el("div", { class: "mark" }, stateMark(f.state, f.under ?? false)));
}

export type Cell = string | { text: string; cls?: string; since?: string };

/** A table with column headings, or a note when there are no rows. */
export function table(heads: string[], rows: Cell[][], empty: string): HTMLElement {
  if (rows.length === 0) return el("p", { class: "empty-note" }, empty);
  return el("table", { class: "grid" },
    el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => {
      if (typeof c === "string") return el("td", {}, c);
      const td = el("td", { class: c.cls }, c.text);
      if (c.since) td.dataset.since = c.since;
      return td;
    })))));
}
