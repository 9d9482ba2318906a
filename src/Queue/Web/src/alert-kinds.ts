// The kinds of alert as the service lists them (GET /api/alerts/kinds, from Alerts/AlertKinds.cs): what the pages call
// each and the unit of its figure. Both pages load them before they show alerts; until they are known, or when the
// service would not give them, a kind shows by its name.
import type { Alert } from "./live";
import { api, duration, percent } from "./common";

/** One kind of alert, as GET /api/alerts/kinds answers (AlertKind). */
export interface AlertKindInfo {
  name: string;
  severity: "warning" | "breach";
  /** What one alert of the kind is about: its subject is that queue's id ("~" for the visits with no call). */
  subject: "queue";
  /** The unit of the figure in its alerts' details: seconds, a share (0–1), hours. */
  unit: "seconds" | "share" | "hours";
  label: string;
  /** One alert stands for the queue's visits past a deadline: its details list them (visits) and count them (samples). */
  listsVisits: boolean;
}

let known = new Map<string, AlertKindInfo>();

/** Loads the kinds, once: true when they are known, false when the service did not answer them (try again later). */
export async function loadAlertKinds(key: string): Promise<boolean> {
  if (known.size > 0) return true;
  try {
    const kinds = await api<AlertKindInfo[]>(key, "/api/alerts/kinds");
    known = new Map(kinds.map((k) => [k.name, k]));
    return known.size > 0;
  } catch {
    return false;
  }
}

/** The kinds known, in the service's order (none before they are loaded). */
export function alertKinds(): AlertKindInfo[] {
  return [...known.values()];
}

/** What the pages call a kind: its label, or its name when the label is not known. */
export function kindLabel(kind: string): string {
  return known.get(kind)?.label ?? kind;
}

/** The visits a visit alert lists (oldest first, at most 200 of them) and how many it stands for; null for other alerts. */
export function alertVisits(a: Alert): { count: number; ids: string[] } | null {
  const ids = a.details?.visits;
  return ids ? { count: a.details.samples ?? ids.length, ids } : null;
}

/** A visit alert's count and deadline, e.g. "12 visits past 24 h"; null for other alerts. */
export function visitsPast(a: Alert): string | null {
  const v = alertVisits(a);
  return v ? `${v.count} visit${v.count === 1 ? "" : "s"} past ${a.details.target} h` : null;
}

/**
 * What an alert is about, as people read it: its queue, "no queue" for the visits with no call, or, for an alert of an
 * older release about one visit, its queue and the visit.
 */
/** The subject of the visits' alerts with no call, hence no queue (the service's AlertSubjects.NoQueue). */
export const noQueue = "~";

/** An alert's subject as people read it: "no queue" for the visits with no call. */
export function subjectText(subject: string): string {
  return subject === noQueue ? "no queue" : subject;
}

export function alertSubject(a: Alert): string {
  if (a.queue !== null && a.subject === a.queue) return a.queue;
  if (a.queue === null && alertVisits(a)) return "no queue";
  return `${a.queue ?? "no queue"} · ${a.subject}`;
}

/** The figure behind an alert against its target, e.g. "0:45 against 0:30", or its visits, e.g. "3 visits past 24 h, oldest 26.5 h". */
export function alertFigures(a: Alert): string {
  const d = a.details;
  const visits = visitsPast(a);
  if (visits) return d.value === null || d.value === undefined ? visits : `${visits}, oldest ${d.value.toFixed(1)} h`;
  // A forecast says when; with no expected ASA, the queue is to take more calls than it has agents.
  if (a.kind === "queue.forecast" && d) {
    return d.value === null || d.value === undefined ? `more calls than agents ${d.window}` : `expected ASA ${duration(d.value)} ${d.window} against ${duration(d.target)}`;
  }
  if (!d || d.value === null || d.value === undefined) return "";
  const unit = known.get(a.kind)?.unit;
  if (unit === "seconds") return `${duration(d.value)} against ${duration(d.target)}`;
  if (unit === "share") return `${percent(d.value)} against ${percent(d.target)}`;
  return "";
}
