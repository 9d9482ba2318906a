// A queue's figures as the wallboard judges them between pushes: the longest wait ticks, and its state with it.
import type { FigureState, QueueSnapshot } from "./live";
import { secondsSince } from "./common";

const order: FigureState[] = ["none", "ok", "warning", "breach"];

export function longest(s: QueueSnapshot, now: number): number | null {
  return s.oldestWaitingSince ? secondsSince(s.oldestWaitingSince, now) : null;
}

/** The longest wait's state now (the service's rule: amber past 80 % of the target, red past it). */
export function waitState(s: QueueSnapshot, now: number): FigureState {
  const wait = longest(s, now);
  const t = s.targets.waitSeconds;
  return wait === null ? s.states.longestWait : wait > t ? "breach" : wait > 0.8 * t ? "warning" : "ok";
}

/** The worst state of a queue's figures now. */
export function worst(s: QueueSnapshot, now: number): FigureState {
  const wait = longest(s, now);
  const waitNow: FigureState = wait !== null && wait > s.targets.waitSeconds ? "breach" : s.states.longestWait;
  const all: FigureState[] = [waitNow, s.windows.m60.states.asa, s.windows.m60.states.serviceLevel, s.windows.m60.states.abandonmentRate, s.windows.today.states.remoteResolution, s.states.visit48];
  return all.reduce((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a), "none");
}

/** The mark that says the state without colour: ✓ OK, ◆ NEAR, ▲ OVER (too long) / ▼ LOW (too few) past the target. */
export function mark(state: FigureState, under = false): string {
  switch (state) {
    case "ok": return "✓ OK";
    case "warning": return "◆ NEAR";
    case "breach": return under ? "▼ LOW" : "▲ OVER";
    default: return "";
  }
}
