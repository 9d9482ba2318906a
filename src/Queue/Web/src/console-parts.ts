// The console's building blocks: a figure against its target, and a table of cells.
import type { FigureState } from "./live";
import { el, stateMark } from "./common";

/** A labelled figure marked by shape and word for its state; with since, its value ticks as a duration. */
export function figure(label: string, value: string, state: FigureState, under = false, since?: string | null): HTMLElement {
  const v = el("div", { class: "value" }, value);
  if (since) v.dataset.since = since;
  return el("div", { class: `figure ${state}`, "data-state": state, "data-figure": label }, el("div", { class: "label" }, label), v, el("div", { class: "mark" }, stateMark(state, under)));
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
