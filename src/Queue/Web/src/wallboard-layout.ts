// How the wallboard lays out any number of queues: the link's options, the order (breaches first), how many queues a
// screen shows at once and at what size. Pure: sizes and names in, a layout out; wallboard.ts measures and draws.

export type BoardLayout = "tiles" | "table";

export interface BoardOptions {
  /** How long each page stays on screen when the queues take more than one. */
  pageSeconds: number;
  layout: BoardLayout;
  /** Under each tile's agents, who is on break and why (?agents=1). */
  agents: boolean;
  /** What the link asked for that the board could not take, in words for the screen ("" for none). */
  problems: string[];
}

export const defaultPageSeconds = 15;
export const pageSecondsRange = [1, 3600] as const;

const shown = (value: string) => (value.length > 40 ? `${value.slice(0, 40)}…` : value);

/** `?page-seconds=` (a whole number of seconds, 1 to 3600; default 15) and `?layout=` (`tiles`, the default, or `table`). */
export function boardOptions(search: string): BoardOptions {
  const query = new URLSearchParams(search);
  const problems: string[] = [];
  let pageSeconds = defaultPageSeconds;
  const seconds = query.get("page-seconds");
  if (seconds !== null) {
    const n = /^\s*\d+\s*$/.test(seconds) ? Number(seconds) : NaN;
    if (n >= pageSecondsRange[0] && n <= pageSecondsRange[1]) pageSeconds = n;
    else problems.push(`page-seconds=${shown(seconds)} is not a whole number of seconds from ${pageSecondsRange[0]} to ${pageSecondsRange[1]}: pages turn every ${defaultPageSeconds} s`);
  }
  let layout: BoardLayout = "tiles";
  const asked = query.get("layout");
  if (asked !== null) {
    if (asked === "tiles" || asked === "table") layout = asked;
    else problems.push(`layout=${shown(asked)} is not tiles or table: showing tiles`);
  }
  // Who is on break and why, under each tile's agents: asked for with agents=1.
  const agents = query.get("agents");
  if (agents !== null && agents !== "1" && agents !== "0") problems.push(`agents=${shown(agents)} is not 1 or 0: not showing who is on break`);
  return { pageSeconds, layout, agents: agents === "1", problems };
}

/**
 * The smallest text the board draws, in CSS pixels, on a screen of this size: 1/60 of its height (18 px at 1080 lines,
 * 36 px at 2160), or 1/107 of its width on a screen taller than 16:9. Figures are drawn at twice that or more.
 * Why this size: docs/pages.md ("Readable from 3 m").
 */
export function readableUnit(width: number, height: number): number {
  return Math.min(height / 60, width / 106.7);
}

/** Queues in breach (a figure red, or an open alert) first, then the others; each group in the order given. */
export function breachFirst(names: string[], inBreach: (queue: string) => boolean): string[] {
  const breaching = names.filter(inBreach);
  return breaching.length === 0 ? names : [...breaching, ...names.filter((q) => !inBreach(q))];
}

/** A screen's share of the queues: how many at once, on how many pages, in what grid, and the text size (px). */
export interface Fit {
  perPage: number;
  pages: number;
  columns: number;
  rows: number;
  unit: number;
}

/** What is drawn, measured in em of its text: a tile (or a table row) and the gap between tiles. */
export interface Natural {
  width: number;
  height: number;
  /** The table's head, above its rows (0 for tiles). */
  head: number;
}

interface Grid { columns: number; rows: number; unit: number }

/** The tile grid that shows `count` tiles in `area` at the largest text size: tiles never smaller than their contents. */
function tileGrid(count: number, area: { width: number; height: number }, tile: Natural, gap: number): Grid {
  let best: Grid = { columns: 1, rows: count, unit: 0 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const unit = Math.min(area.width / (columns * tile.width + (columns - 1) * gap), area.height / (rows * tile.height + (rows - 1) * gap));
    if (unit > best.unit) best = { columns, rows, unit };
  }
  return best;
}

/** A table of `count` rows in `area`: the text size at which its widest row and all of its rows fit. */
function tableGrid(count: number, area: { width: number; height: number }, row: Natural): Grid {
  return { columns: 1, rows: count, unit: Math.min(area.width / row.width, area.height / (row.head + count * row.height)) };
}

/**
 * How `count` queues take a screen: all at once when they fit at the readable size (`minUnit`, px), at the largest size
 * they fit; otherwise pages of as many as fit at that size, shared out evenly (30 queues, 8 a page at most: 4 pages of
 * 8, 8, 7, 7 rather than 8, 8, 8, 6). When not even one fits, one a page, as large as it goes.
 */
export function fit(count: number, area: { width: number; height: number }, natural: Natural, gap: number, minUnit: number, layout: BoardLayout): Fit {
  const grid = (k: number) => (layout === "table" ? tableGrid(k, area, natural) : tileGrid(k, area, natural, gap));
  const n = Math.max(1, count);
  const all = grid(n);
  if (all.unit >= minUnit) return { perPage: n, pages: 1, ...all };
  let most = 1;
  for (let k = n - 1; k >= 2; k--) {
    if (grid(k).unit >= minUnit) {
      most = k;
      break;
    }
  }
  const pages = Math.ceil(n / most);
  const perPage = Math.ceil(n / pages);
  return { perPage, pages, ...grid(perPage) };
}

/** The queues on page `page` (from 0). */
export function onPage<T>(items: T[], page: number, perPage: number): T[] {
  return items.slice(page * perPage, (page + 1) * perPage);
}
