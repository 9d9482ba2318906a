// The console's agents (SPEC §10): every agent now from GET /api/agents, read again on pushes, sortable by any column;
// and the agents report over a window from GET /api/agents/report, which downloads as CSV.
import { Reread, api, downloadCsv, duration, el, percent, problemText, text } from "./common";

export interface AgentNow {
  agentId: string;
  status: string;
  /** The reason its latest status event gave (a pause code); null when none. */
  reason: string | null;
  since: string;
  statusSeconds: number;
  queues: string[] | null;
  answeredToday: number;
  missedToday: number;
  averageTalkSeconds: number | null;
  /** Talk and the wrap-up after it, today (from the agents report over today so far). */
  averageHandleSeconds: number | null;
}

export interface AgentsNow { asOf: string; queues: string[] | null; agents: AgentNow[] }

export interface BreakReason { reason: string | null; seconds: number }

export interface AgentReportRow {
  agentId: string;
  queues: string[];
  loggedInSeconds: number;
  availableSeconds: number;
  busySeconds: number;
  wrapUpSeconds: number;
  breakSeconds: number;
  breaks: BreakReason[];
  answered: number;
  missed: number;
  talked: number;
  averageTalkSeconds: number | null;
  wrapUps: number;
  averageWrapUpSeconds: number | null;
  averageHandleSeconds: number | null;
  occupancy: number | null;
}

export interface AgentsReport { from: string; to: string; queues: string[] | null; agents: AgentReportRow[] }

/** Read again at most this often while pushes come in. */
const quietMs = 1_000;

const statusOrder = ["available", "busy", "wrap_up", "break", "offline"];

/** A column of the live list: its heading, how it sorts, and its cell. */
interface Column { head: string; sort: (a: AgentNow, b: AgentNow) => number; cell: (a: AgentNow) => HTMLTableCellElement }

const byNumber = (f: (a: AgentNow) => number | null) => (a: AgentNow, b: AgentNow) => (f(a) ?? -1) - (f(b) ?? -1);

const columns: Column[] = [
  { head: "Agent", sort: (a, b) => a.agentId.localeCompare(b.agentId), cell: (a) => el("td", {}, a.agentId) },
  {
    head: "Status", sort: (a, b) => statusOrder.indexOf(a.status) - statusOrder.indexOf(b.status),
    cell: (a) => el("td", { class: `status-${a.status}` }, a.status.replace("_", "-")),
  },
  { head: "Reason", sort: (a, b) => (a.reason ?? "").localeCompare(b.reason ?? ""), cell: (a) => el("td", { "data-reason": "" }, a.reason ?? "") },
  {
    head: "For", sort: byNumber((a) => a.statusSeconds),
    cell: (a) => el("td", { class: "num", "data-since": a.since }, duration(a.statusSeconds)),
  },
  { head: "Queues", sort: (a, b) => (a.queues ?? []).join().localeCompare((b.queues ?? []).join()), cell: (a) => el("td", {}, (a.queues ?? []).join(", ")) },
  { head: "Answered today", sort: byNumber((a) => a.answeredToday), cell: (a) => el("td", { class: "num" }, String(a.answeredToday)) },
  { head: "Missed today", sort: byNumber((a) => a.missedToday), cell: (a) => el("td", { class: "num" }, String(a.missedToday)) },
  { head: "Avg talk today", sort: byNumber((a) => a.averageTalkSeconds), cell: (a) => el("td", { class: "num" }, duration(a.averageTalkSeconds)) },
  {
    head: "Avg handle today", sort: byNumber((a) => a.averageHandleSeconds),
    cell: (a) => el("td", { class: "num", "data-handle": "" }, duration(a.averageHandleSeconds)),
  },
];

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export class AgentsView {
  private agents: AgentNow[] = [];
  private sortBy = 1;
  private ascending = true;
  private readonly reread = new Reread(quietMs, () => this.load());
  private ticket = 0;

  /** Wires the report's form and download; `at` formats an instant in center time. */
  constructor(private readonly key: string, private readonly at: (iso: string | null, withDate?: boolean) => string) {
    $("agents-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.report();
    });
    $("agents-csv").addEventListener("click", () => {
      const path = this.query();
      if (path) downloadCsv(this.key, path).catch((e: unknown) => text($("agents-error"), `Download: ${problemText(e)}`));
    });
  }

  /** Something changed somewhere in the center (a push): an agent's status or day may have changed. */
  changed(): void {
    this.reread.soon();
  }

  /** Reads the list now (on joining live state). */
  read(): void {
    this.reread.now();
  }

  private async load(): Promise<void> {
    const ticket = ++this.ticket;
    try {
      const list = await api<AgentsNow>(this.key, "/api/agents");
      if (ticket !== this.ticket) return;
      this.agents = list.agents;
      text($("agents-note"), list.agents.length === 0 ? "No agent has told a status yet." : "");
      this.render();
    } catch (e) {
      if (ticket !== this.ticket) return;
      text($("agents-note"), `Agents: ${problemText(e)}`);
    }
  }

  private render(): void {
    const column = columns[this.sortBy];
    const sign = this.ascending ? 1 : -1;
    const rows = [...this.agents].sort((a, b) => sign * column.sort(a, b) || a.agentId.localeCompare(b.agentId));
    const heads = columns.map((c, i) => {
      const sorted = i === this.sortBy;
      const button = el("button", { type: "button", class: "sort" }, c.head, sorted ? (this.ascending ? " ▲" : " ▼") : "");
      button.addEventListener("click", () => {
        this.ascending = sorted ? !this.ascending : true;
        this.sortBy = i;
        this.render();
        $("agents-live").querySelectorAll<HTMLButtonElement>("th button")[i]?.focus();
      });
      return el("th", { scope: "col", "aria-sort": sorted ? (this.ascending ? "ascending" : "descending") : "none" }, button);
    });
    $("agents-live").replaceChildren(rows.length === 0 ? "" : el("table", { class: "grid" },
      el("thead", {}, el("tr", {}, ...heads)),
      el("tbody", {}, ...rows.map((a) => el("tr", { "data-agent": a.agentId }, ...columns.map((c) => c.cell(a)))))));
  }

  /** The report's window and queue as they stand; null (and a note) when a bound is not a date. */
  private query(): string | null {
    const data = new FormData($<HTMLFormElement>("agents-form"));
    const q = new URLSearchParams();
    for (const name of ["from", "to"]) {
      const v = String(data.get(name) ?? "");
      const t = new Date(v);
      if (!v || Number.isNaN(t.getTime())) {
        text($("agents-error"), `${name} is not a date and time`);
        return null;
      }
      q.set(name, t.toISOString());
    }
    const queue = String(data.get("queue") ?? "").trim();
    if (queue) q.set("queue", queue);
    return `/api/agents/report?${q}`;
  }

  private async report(): Promise<void> {
    const path = this.query();
    if (!path) return;
    text($("agents-error"), "");
    try {
      const r = await api<AgentsReport>(this.key, path);
      text($("agents-report-note"), `${r.agents.length} agent${r.agents.length === 1 ? "" : "s"} from ${this.at(r.from, true)} to ${this.at(r.to, true)}`
        + `${r.queues ? ` in ${r.queues.join(", ")}` : ""}. Handle time is the mean talk plus the mean wrap-up.`);
      const heads = ["Agent", "Logged in", "Available", "Busy", "Wrap-up", "Break", "Breaks by reason", "Answered", "Missed", "Avg talk", "Avg handle", "Occupancy"];
      $("agents-report").replaceChildren(r.agents.length === 0 ? el("p", { class: "empty-note" }, "No agent was logged in or took calls then.") : el("table", { class: "grid" },
        el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...r.agents.map((a) => el("tr", { "data-agent": a.agentId },
          el("td", {}, a.agentId),
          ...[a.loggedInSeconds, a.availableSeconds, a.busySeconds, a.wrapUpSeconds, a.breakSeconds].map((s) => el("td", { class: "num" }, duration(s))),
          el("td", {}, a.breaks.map((b) => `${b.reason ?? "no reason"} ${duration(b.seconds)}`).join(", ")),
          el("td", { class: "num" }, String(a.answered)),
          el("td", { class: "num" }, String(a.missed)),
          el("td", { class: "num" }, duration(a.averageTalkSeconds)),
          el("td", { class: "num" }, duration(a.averageHandleSeconds)),
          el("td", { class: "num" }, percent(a.occupancy)))))));
    } catch (e) {
      text($("agents-error"), problemText(e));
    }
  }
}
