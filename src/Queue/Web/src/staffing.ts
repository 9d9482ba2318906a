// A queue's live staffing as the wallboard and the console show it: "needs N, has M", and the model's details.
import type { FigureState, LiveStaffing } from "./live";
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

/** The console's staffing figures: label, value, state. */
export function staffingFigures(st: LiveStaffing, serviceLevel: number | null, serviceLevelSeconds: number): [string, string, FigureState][] {
  const i = st.inputs;
  const model = st.model === "erlang-a" ? "Erlang A" : st.model === "erlang-c" ? "Erlang C" : "no model";
  const num = (x: number | null, digits = 1) => (x === null ? "–" : x.toFixed(digits));
  return [
    [`Agents (needed for ASA ≤ ${duration(i.asaTargetSeconds)}${serviceLevel === null ? "" : `, ${percent(serviceLevel)} in ${duration(serviceLevelSeconds)}`})`, staffingText(st), st.state],
    ["Load (Erlangs)", `${num(st.erlangs)}${st.stable === false ? " · more than the agents" : ""}`, st.stable === false ? "breach" : "none"],
    [`Expected ASA now (${model})`, duration(st.expectedAsaSeconds), "none"],
    [`Expected abandonment now (${model})`, percent(st.expectedAbandonment), "none"],
    ["Calls per hour (15 min ⅔, 60 min ⅓)", `${num(i.callsPerHour, 0)} · ${i.arrived15} / ${i.arrived60} arrived`, "none"],
    ["Handle time (talk + wrap-up, last hour)", `${duration(i.handleSeconds)} · talk ${duration(i.talkSeconds)} of ${i.handled60} · wrap-up ${duration(i.wrapUpSeconds)} of ${i.wrapUps60}`, "none"],
    ["Patience (last hour)", i.patienceSeconds === null ? `– · ${i.abandoned60} abandoned` : `${duration(i.patienceSeconds)} · ${i.abandoned60} abandoned`, "none"],
  ];
}
