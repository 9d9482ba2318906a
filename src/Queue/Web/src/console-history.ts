// The console's alert history: filters (time range, kind, queue, state), a page at a time, rows kept up to date live.
import type { Alert } from "./live";
import { api, downloadCsv, el, problemText, text } from "./common";
import { alertKinds, subjectText } from "./alert-kinds";

export interface AlertPage { items: Alert[]; next: string | null }

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export class AlertHistory {
  private nextPage: string | null = null;

  /** Wires the filter form and the "more" button; `at` formats an instant in center time. */
  constructor(private readonly key: string, private readonly at: (iso: string | null, withDate?: boolean) => string) {
    $("history-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.load(null);
    });
    $("history-more").addEventListener("click", () => { if (this.nextPage) void this.load(this.nextPage); });
    $("history-csv").addEventListener("click", () => {
      const path = this.query(null);
      if (path) downloadCsv(this.key, path).catch((e: unknown) => text($("history-error"), `Download: ${problemText(e)}`));
    });
    this.listKinds();
  }

  /** The kind filter offers every kind the service listed, once they are known ("any" until then). */
  listKinds(): void {
    const select = $<HTMLSelectElement>("f-kind");
    if (select.options.length > 1) return;
    select.append(...alertKinds().map((k) => el("option", { value: k.name, title: k.label }, k.name)));
  }

  /** The first page for the filters as they stand (url null), or the page a `next` link names, added below. */
  async load(url: string | null): Promise<void> {
    const path = url ?? this.query(25);
    if (!path) return;
    text($("history-error"), "");
    try {
      const page = await api<AlertPage>(this.key, path);
      const rows = page.items.map((a) => this.row(a));
      if (url) $("history-rows").append(...rows);
      else $("history-rows").replaceChildren(...rows);
      this.nextPage = page.next;
      $("history-more").hidden = !page.next;
      if (!url && rows.length === 0) $("history-rows").replaceChildren(el("tr", {}, el("td", { colspan: "8", class: "empty-note" }, "No alerts match.")));
    } catch (e) {
      text($("history-error"), problemText(e));
    }
  }

  /** A pushed change: the alert's row, if shown, is replaced. */
  update(a: Alert): void {
    const row = $("history-rows").querySelector(`tr[data-alert="${a.id}"]`);
    if (row) row.replaceWith(this.row(a));
  }

  /** The filters as they stand, a page of `limit` (none: as many as a download takes). */
  private query(limit: number | null): string | null {
    const form = $("history-form") as HTMLFormElement;
    const data = new FormData(form);
    const q = new URLSearchParams();
    for (const name of ["from", "to"]) {
      const v = String(data.get(name) ?? "");
      if (!v) continue;
      const t = new Date(v);
      if (Number.isNaN(t.getTime())) {
        text($("history-error"), `${name} is not a date and time`);
        return null;
      }
      q.set(name, t.toISOString());
    }
    for (const name of ["kind", "queue", "state"]) {
      const v = String(data.get(name) ?? "").trim();
      if (v) q.set(name, v);
    }
    if (limit !== null) q.set("limit", String(limit));
    return `/api/alerts?${q}`;
  }

  private row(a: Alert): HTMLTableRowElement {
    const at = this.at;
    return el("tr", { "data-alert": String(a.id) },
      el("td", { class: "num" }, String(a.id)),
      el("td", {}, at(a.raisedAt, true)),
      el("td", {}, a.kind),
      el("td", {}, a.queue ?? ""),
      el("td", {}, subjectText(a.subject)),
      el("td", {}, a.state),
      el("td", {}, a.acknowledgedAt ? `${at(a.acknowledgedAt)} by ${a.acknowledgedBy ?? "?"}` : ""),
      el("td", {}, a.clearedAt ? at(a.clearedAt) : ""));
  }
}
