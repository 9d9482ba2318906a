// A queue's live staffing as the wallboard and the console show it: "needs N, has M", and the model's details.
import type { FigureState, LiveStaffing, LiveTargets } from "./live";
import type { Figure } from "./console-parts";
import { duration, el, percent } from "./common";

/** "needs 14, has 11": what the model asks for against who serves the queue now ("needs –" while no handle time is known). */
export function staffingText(st: LiveStaffing): string {
  return `needs ${st.needed ?? "–"}, has ${st.has}`;
}

/** The mark that says it without colour: ▲ SHORT (fewer agents than the load: the queue grows), ◆ SHORT (waits above target), ✓ OK. */
export function staffingMark(state: FigureState): string {
  switch (state) {
    case "ok": return "✓ OK";
    case "warning": return "◆ SHORT";
    case "breach": return "▲ SHORT";
    default: return "";
  }
}

/**
 * The wallboard's agents box: "needs N, has M" with its mark first, then the agents by status. The box takes the
 * staffing's state: a short queue shows in the box the agents are in, not in a box of its own (a busy 1080p board has no
 * row to spare for one).
 */
export function fillAgents(box: HTMLElement, agents: [string, number][], st: LiveStaffing | null): void {
  const state: FigureState = st?.state ?? "none";
  box.className = `counts ${state}`;
  box.dataset.state = state;
  const parts: HTMLElement[] = [];
  if (st) {
    // Three pieces that wrap between them, never inside: "needs 14," "has 11" "▲ SHORT".
    const staffing = el("span", { class: "staffing", "data-fig": "staffing", "data-state": state },
      el("span", {}, "needs ", el("b", {}, st.needed === null ? "–" : String(st.needed)), ","), " ", el("span", {}, "has ", el("b", {}, String(st.has))));
    const mark = staffingMark(state);
    if (mark) staffing.append(" ", el("span", { class: "mark" }, mark));
    parts.push(staffing);
  }
  for (const [what, n] of agents) parts.push(el("span", {}, el("b", {}, String(n)), " ", el("span", { class: "what" }, what)));
  box.replaceChildren(...parts);
}

/** The console's staffing figures, each one figure in a supervisor's words with what it is held to. */
export function staffingFigures(st: LiveStaffing, t: LiveTargets): Figure[] {
  const i = st.inputs;
  const model = st.model === "erlang-a" ? "Erlang A" : st.model === "erlang-c" ? "Erlang C" : "no model yet";
  const num = (x: number | null, digits = 1) => (x === null ? "–" : x.toFixed(digits));
  const agents = (n: number) => `${n} agent${n === 1 ? "" : "s"}`;
  const targets = `ASA ≤ ${duration(i.asaTargetSeconds)}${t.serviceLevel === null ? "" : `, ${percent(t.serviceLevel)} in ${duration(t.serviceLevelThresholdSeconds)}`}`;
  return [
    { key: "agents", label: "Agents serving the queue", value: String(st.has), state: st.state,
      note: st.needed === null ? "needed: not known until a call is handled" : `${st.needed} needed for ${targets}` },
    { key: "workload", label: "Workload, in agents kept busy", value: num(st.erlangs), state: st.stable === false ? "breach" : "none",
      note: st.stable === false ? `more than the ${agents(st.has)}: the queue grows` : `of ${agents(st.has)}` },
    { key: "expected-asa", label: "Expected wait to answer now", value: duration(st.expectedAsaSeconds), state: "none",
      note: `target ≤ ${duration(i.asaTargetSeconds)} · ${model}` },
    { key: "expected-abandonment", label: "Expected to hang up now", value: percent(st.expectedAbandonment), state: "none",
      note: `${t.abandonment === null ? "no limit set" : `limit ≤ ${percent(t.abandonment)}`} · ${model}` },
    { key: "calls-per-hour", label: "Calls coming in, per hour", value: num(i.callsPerHour, 0), state: "none",
      note: `${i.arrived15} in the last 15 min, ${i.arrived60} in the hour` },
    { key: "handle-time", label: "Time per call, last hour", value: duration(i.handleSeconds), state: "none",
      note: `talk ${duration(i.talkSeconds)} + wrap-up ${duration(i.wrapUpSeconds)} · ${i.handled60} handled` },
    { key: "patience", label: "Callers hang up after, last hour", value: duration(i.patienceSeconds), state: "none",
      note: `from ${i.abandoned60} call${i.abandoned60 === 1 ? "" : "s"} abandoned` },
  ];
}
