// ?agents=1: who is on break in each queue and why, under the queue's agents (SPEC §10). Read from GET /api/agents
// within 2 s of a push (a status change moves the queue's agent counts, so it pushes), never by polling; the time on
// break ticks between reads.
import type { AgentNow, AgentsNow } from "./console-agents";
import { Reread, api, duration, el } from "./common";

/** Agents named on a tile; the others are counted ("+2 more"), so a tile keeps its size. */
const shownAtMost = 2;
const rereadAfterMs = 2000;

export class Breaks {
  private byQueue = new Map<string, AgentNow[]>();
  private readonly reread = new Reread(rereadAfterMs, () => this.load());

  constructor(private readonly key: string, private readonly named: string[], private readonly changed: () => void) {}

  /** Something changed: read the agents again, at most once every 2 s. */
  poke(): void {
    this.reread.soon();
  }

  of(queue: string): AgentNow[] {
    return this.byQueue.get(queue) ?? [];
  }

  private async load(): Promise<void> {
    try {
      const query = this.named.map((q) => `queue=${encodeURIComponent(q)}`).join("&");
      const now = await api<AgentsNow>(this.key, `/api/agents${query ? `?${query}` : ""}`);
      const byQueue = new Map<string, AgentNow[]>();
      for (const a of now.agents) {
        if (a.status !== "break") continue;
        for (const q of a.queues ?? []) {
          const list = byQueue.get(q);
          if (list) list.push(a);
          else byQueue.set(q, [a]);
        }
      }
      // The longest on break first.
      for (const list of byQueue.values()) list.sort((a, b) => Date.parse(a.since) - Date.parse(b.since) || (a.agentId < b.agentId ? -1 : 1));
      this.byQueue = byQueue;
      this.changed();
    } catch {
      // Kept as it was: the next push reads again.
    }
  }
}

export function newBreaks(): HTMLElement {
  return el("div", { class: "breaks", "data-fig": "breaks" });
}

/** "on break: op-17 lunch 12:05 · op-3 training 0:40 · +2 more": who, why, and for how long as of `now`. */
export function fillBreaks(box: HTMLElement, onBreak: AgentNow[], now: number): void {
  const parts: HTMLElement[] = [el("span", { class: "what" }, onBreak.length === 0 ? "no one on break" : "on break:")];
  for (const a of onBreak.slice(0, shownAtMost)) {
    parts.push(el("span", { class: "on-break", "data-agent": a.agentId },
      el("b", { title: a.agentId }, short(a.agentId, 16)), " ",
      el("span", { class: "reason", title: a.reason ?? "" }, short(a.reason ?? "no reason", 16)), " ",
      el("span", { class: "what" }, duration(Math.max(0, (now - Date.parse(a.since)) / 1000)))));
  }
  if (onBreak.length > shownAtMost) parts.push(el("span", { class: "what" }, `+${onBreak.length - shownAtMost} more`));
  box.replaceChildren(...parts);
}

const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
