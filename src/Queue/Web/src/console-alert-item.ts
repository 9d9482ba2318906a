// One alert in the console's list of open alerts: kept by id, so that a re-render keeps its element, and the focus and
// a note being typed in its acknowledgement form with it.
import type { Alert } from "./live";
import { el, text } from "./common";
import { alertFigures, alertSubject, kindLabel } from "./alert-kinds";
import { ackButton } from "./console-ack";
import { visitsNamed } from "./console-visits";

export class AlertItems {
  private readonly items = new Map<number, HTMLLIElement>();

  /** `at` formats an instant in the center's zone; `acknowledge` sends an acknowledgement with its note. */
  constructor(
    private readonly at: (iso: string | null, withDate?: boolean) => string,
    private readonly acknowledge: (id: number, note: string) => Promise<void>,
  ) {}

  /** Moves the focus to the alert's item (after its acknowledgement, which removes the form that had it). */
  focus(id: number): void {
    this.items.get(id)?.focus();
  }

  /** The alert's item, made the first time and brought up to date with it after. */
  of(a: Alert): HTMLLIElement {
    let li = this.items.get(a.id);
    if (!li) {
      li = el("li", { class: "alert-item", "data-alert": String(a.id), tabindex: "-1" },
        el("div", { class: "head" }, el("span", { class: "sev" }), el("strong", { class: "kind" }), el("span", { class: "subject" })),
        el("div", { class: "meta" }),
        el("div", { class: "visits" }),
        el("div", { class: "ack" }));
      this.items.set(a.id, li);
    }
    li.className = `alert-item ${a.severity} ${a.state}`;
    li.dataset.state = a.state;
    const sev = li.querySelector<HTMLElement>(".sev")!;
    sev.className = `sev ${a.severity}`;
    text(sev, a.state === "acknowledged" ? "✓ ACK" : a.severity === "breach" ? "▲ BREACH" : "◆ WARNING");
    text(li.querySelector(".kind")!, kindLabel(a.kind));
    text(li.querySelector(".subject")!, alertSubject(a));
    const at = this.at;
    const facts = [`#${a.id}`, `raised ${at(a.raisedAt, true)}`, alertFigures(a), a.escalatedAt ? `escalated ${at(a.escalatedAt)}` : ""].filter(Boolean).join(" · ");
    text(li.querySelector(".meta")!, facts);
    text(li.querySelector(".visits")!, visitsNamed(a));
    const ack = li.querySelector<HTMLElement>(".ack")!;
    if (a.state === "open") {
      if (!ack.querySelector(".ack-open")) ack.replaceChildren(ackButton(a.id, ack, (note) => this.acknowledge(a.id, note)));
    } else {
      ack.replaceChildren(el("div", { class: "meta" }, `Acknowledged by ${a.acknowledgedBy ?? "?"} at ${at(a.acknowledgedAt)}`), el("p", { class: "note" }, a.ackNote ?? ""));
    }
    return li;
  }
}
