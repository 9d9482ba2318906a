// The console's view of visit alerts: one per queue and deadline, naming the queue's visits past it.
import type { Alert } from "./live";
import { el } from "./common";
import { alertVisits } from "./alert-kinds";
import { type Cell, table } from "./console-parts";

/** The first visits a visit alert names, for its item in the list of open alerts; empty for other alerts. */
export function visitsNamed(a: Alert, most = 10): string {
  const visits = alertVisits(a);
  if (!visits || visits.ids.length === 0) return "";
  const named = visits.ids.slice(0, most);
  const more = visits.count - named.length;
  return `Visits: ${named.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}

/**
 * The visits a queue's open visit alerts name, each once, under its latest deadline passed (a visit past 48 h is past
 * 24 h too), oldest first; with a note where an alert counts more visits than it names.
 */
export function visitTable(alerts: Alert[], queue: string): HTMLElement {
  const groups = alerts.filter((a) => a.queue === queue && alertVisits(a)).sort((a, b) => b.details.target - a.details.target);
  const seen = new Set<string>();
  const rows: Cell[][] = [];
  for (const a of groups) {
    for (const visit of alertVisits(a)!.ids) {
      if (seen.has(visit)) continue;
      seen.add(visit);
      rows.push([visit, `${a.severity === "breach" ? "▲" : "◆"} ${a.details.target} h`, `#${a.id} ${a.state}`]);
    }
  }
  const notes = groups.flatMap((a) => {
    const v = alertVisits(a)!;
    return v.count > v.ids.length ? [`Alert #${a.id} counts ${v.count} visits and names the ${v.ids.length} oldest.`] : [];
  });
  const shown = table(["Visit", "Past", "Alert"], rows, "No late or overdue visits with open alerts.");
  return notes.length === 0 ? shown : el("div", {}, shown, el("p", { class: "empty-note" }, notes.join(" ")));
}
