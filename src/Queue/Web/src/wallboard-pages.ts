// The queues on the wallboard's screen: measured in em, fitted to the space between the header and the alert strip,
// and shown a page at a time when they do not fit at a readable size. wallboard-layout.ts decides; this measures and
// draws.
import { el, text } from "./common";
import type { BoardOptions, Fit, Natural } from "./wallboard-layout";
import { fit, onPage, readableUnit } from "./wallboard-layout";
import { tableHead } from "./wallboard-table";

/** A queue's tile or table row, filled with its figures now. */
export interface Drawn {
  tile(queue: string): HTMLElement;
  row(queue: string): HTMLTableRowElement;
}

const gapEm = 0.5; // between tiles, in em of their text (.tiles gap)
// A little room over what is measured: text drawn at another size rounds differently.
const room = 1.03;

export class Pages {
  readonly #host: HTMLElement;
  readonly #label: HTMLElement;
  readonly #options: BoardOptions;
  // Where tiles and rows are measured, out of sight, at a text size of 100 px: their size in em, whatever the screen.
  readonly #box = el("div", { class: "measure", "aria-hidden": "true" });
  #measured: { key: string; size: Natural } | null = null;
  #current: Fit | null = null;
  #page = 0;

  constructor(host: HTMLElement, label: HTMLElement, options: BoardOptions) {
    this.#host = host;
    this.#label = label;
    this.#options = options;
    document.body.append(this.#box);
  }

  /** Shows the page it is on of `order` (the queues, breaches first); a new page count starts again at page 1 if need be. */
  show(order: string[], drawn: Drawn): void {
    this.#draw(order, drawn);
    if (this.#overflowing()) {
      // Something grew past what was measured (a wait past an hour, a count of four digits): measure again.
      this.#measured = null;
      this.#draw(order, drawn);
    }
    this.#say();
  }

  /** Nothing to show but a message ("Connecting…"). */
  message(message: HTMLElement): void {
    const host = this.#host;
    host.className = "tiles";
    host.style.gridTemplateColumns = "";
    host.style.gridTemplateRows = "";
    host.replaceChildren(message);
    this.#current = null;
    this.#say();
  }

  /** The next page, if there is more than one: true when it turned. */
  turn(): boolean {
    if (!this.#current || this.#current.pages <= 1) return false;
    this.#page = (this.#page + 1) % this.#current.pages;
    return true;
  }

  /** Measure again at the next show (the page's font has loaded). */
  remeasure(): void {
    this.#measured = null;
  }

  #draw(order: string[], drawn: Drawn): void {
    const f = this.#fit(order, drawn);
    this.#current = f;
    if (this.#page >= f.pages) this.#page = 0;
    const names = onPage(order, this.#page, f.perPage);
    const host = this.#host;
    const unit = `${Math.floor(f.unit * 10) / 10}px`;
    host.dataset.unit = unit;
    host.dataset.layout = this.#options.layout;
    if (this.#options.layout === "table") {
      host.className = "tiles table";
      host.style.gridTemplateColumns = "";
      host.style.gridTemplateRows = "";
      const table = host.querySelector<HTMLTableElement>(":scope > table") ?? el("table", { class: "board-table" }, tableHead(), el("tbody"));
      table.style.fontSize = unit;
      const body = table.tBodies[0];
      const rows = names.map((q) => drawn.row(q));
      if (rows.length !== body.rows.length || rows.some((r, i) => body.rows[i] !== r)) body.replaceChildren(...rows);
      if (host.firstElementChild !== table || host.childElementCount !== 1) host.replaceChildren(table);
      return;
    }
    host.className = "tiles";
    host.style.setProperty("--u", unit);
    host.style.gridTemplateColumns = `repeat(${f.columns}, minmax(0, 1fr))`;
    host.style.gridTemplateRows = `repeat(${f.rows}, minmax(0, 1fr))`;
    const tiles = names.map((q) => drawn.tile(q));
    if (tiles.length !== host.children.length || tiles.some((t, i) => host.children[i] !== t)) host.replaceChildren(...tiles);
  }

  #fit(names: string[], drawn: Drawn): Fit {
    const style = getComputedStyle(this.#host);
    const space = {
      width: this.#host.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
      height: this.#host.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom),
    };
    const key = `${this.#options.layout} ${space.width}×${space.height} ${[...names].sort().join(",")}`;
    if (this.#measured?.key !== key) {
      const size = this.#measure(names, drawn);
      this.#measured = { key, size };
      this.#host.dataset.natural = `${size.width.toFixed(2)}×${size.height.toFixed(2)} em${size.head > 0 ? ` under a head of ${size.head.toFixed(2)}` : ""}`;
    }
    return fit(names.length, space, this.#measured.size, gapEm, readableUnit(innerWidth, innerHeight), this.#options.layout);
  }

  // The largest tile (or row) of them all, in em: the one every other is drawn at.
  #measure(names: string[], drawn: Drawn): Natural {
    const box = this.#box;
    if (this.#options.layout === "table") {
      const body = el("tbody", {}, ...names.map((q) => drawn.row(q)));
      const table = el("table", { class: "board-table" }, tableHead(), body);
      box.replaceChildren(table);
      const head = table.tHead!.getBoundingClientRect().height;
      const row = Math.max(...[...body.rows].map((r) => r.getBoundingClientRect().height));
      const size = { width: table.getBoundingClientRect().width * room / 100, height: row * room / 100, head: head * room / 100 };
      box.replaceChildren();
      return size;
    }
    const tiles = names.map((q) => drawn.tile(q));
    box.replaceChildren(...tiles);
    let width = 0;
    let height = 0;
    for (const t of tiles) {
      const r = t.getBoundingClientRect();
      width = Math.max(width, r.width);
      height = Math.max(height, r.height);
    }
    box.replaceChildren();
    return { width: width * room / 100, height: height * room / 100, head: 0 };
  }

  // Anything cut off.
  #overflowing(): boolean {
    const cut = (e: Element) => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1;
    return cut(this.#host) || [...this.#host.querySelectorAll(".tile, .fig, .counts")].some(cut);
  }

  // "page 2 of 4", when there is more than one.
  #say(): void {
    const pages = this.#current?.pages ?? 1;
    this.#host.dataset.page = String(this.#page + 1);
    this.#host.dataset.pages = String(pages);
    this.#label.hidden = pages <= 1;
    text(this.#label, `page ${this.#page + 1} of ${pages}`);
  }
}
