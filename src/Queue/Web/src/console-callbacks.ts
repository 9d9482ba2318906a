// The console's callers to call back for a queue (SPEC §10), from GET /api/callbacks: live, as calls are answered
// anywhere in the center a caller leaves the list by itself; the list downloads as CSV.
import { Reread, api, downloadCsv, duration, el, problemText, text } from "./common";

export interface Callback {
  callId: string;
  queue: string;
  abandonedAt: string;
  waitSeconds: number;
  attempts: number;
  /** false: the call carried no caller, so it stands alone. */
  callerKnown: boolean;
}

export interface CallbackList { since: string; asOf: string; queue: string | null; callers: Callback[] }

/** Read again at most this often while pushes come in: a busy center pushes several times a second. */
const quietMs = 2_000;

export class QueueCallbacks {
  readonly element: HTMLElement;
  private readonly note: HTMLElement;
  private readonly box: HTMLElement;
  private queue: string | null = null;
  private readonly reread = new Reread(quietMs, () => this.load());
  private ticket = 0;

  constructor(private readonly key: string, private readonly at: (iso: string | null, withDate?: boolean) => string) {
    const download = el("button", { type: "button", id: "callbacks-csv", class: "download", "aria-label": "Download CSV: callers to call back", title: "The list as a CSV file, for a spreadsheet" }, "Download CSV");
    download.addEventListener("click", () => {
      if (this.queue) downloadCsv(this.key, this.path(this.queue)).catch((e: unknown) => text(this.note, `Download: ${problemText(e)}`));
    });
    this.note = el("p", { id: "callbacks-note", class: "empty-note", "aria-live": "polite" });
    this.box = el("div", { id: "callbacks-table", class: "scroll" });
    this.element = el("section", { id: "callbacks", class: "breakdown", "aria-labelledby": "callbacks-title" },
      el("div", { class: "breakdown-head" }, el("h3", { id: "callbacks-title" }, "Callers to call back"), download),
      this.note, this.box);
  }

  /** Shows `queue`'s list; read again when the queue changes. */
  show(queue: string): void {
    if (queue === this.queue) return;
    this.queue = queue;
    this.box.replaceChildren();
    this.reread.now();
  }

  /** Something changed somewhere in the center (a push): a caller may have been answered, or given up. */
  changed(): void {
    if (this.queue) this.reread.soon();
  }

  private path(queue: string): string {
    return `/api/callbacks?${new URLSearchParams({ queue })}`;
  }

  private async load(): Promise<void> {
    const queue = this.queue!;
    const ticket = ++this.ticket;
    try {
      const list = await api<CallbackList>(this.key, this.path(queue));
      if (ticket !== this.ticket) return;
      text(this.note, list.callers.length === 0
        ? `No one to call back in ${queue}: every caller who gave up since ${this.at(list.since, true)} has been answered since.`
        : `${list.callers.length} caller${list.callers.length === 1 ? "" : "s"} gave up waiting in ${queue} since ${this.at(list.since, true)} and ${list.callers.length === 1 ? "has" : "have"} not been answered since, newest first. The PBX or CRM finds the number by call id.`);
      this.box.replaceChildren(list.callers.length === 0 ? "" : this.table(list.callers));
    } catch (e) {
      if (ticket !== this.ticket) return;
      text(this.note, `Callers to call back: ${problemText(e)}`);
    }
  }

  private table(callers: Callback[]): HTMLTableElement {
    return el("table", { class: "grid" },
      el("thead", {}, el("tr", {}, ...["Call", "Gave up at", "After waiting", "Attempts"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...callers.map((c) => el("tr", { "data-call": c.callId },
        el("td", {}, c.callId, c.callerKnown ? "" : el("span", { class: "empty-note" }, " (no caller)")),
        el("td", {}, this.at(c.abandonedAt, true)),
        el("td", { class: "num" }, duration(c.waitSeconds)),
        el("td", { class: "num" }, String(c.attempts))))));
  }
}
