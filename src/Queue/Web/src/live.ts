// The live hub's contract (/hubs/live), mirrored from src/Queue/Live (LiveHub.cs, Snapshots.cs).
// Kept in step by tests/Queue.Tests/Live/LiveContractTests.cs: a member added there and not here fails the build's tests.

/** A figure against its target. "warning": close to it, or past it on fewer samples than the minimum. */
export type FigureState = "ok" | "warning" | "breach" | "none";

export type AgentStatus = "available" | "busy" | "wrap_up" | "break" | "offline";

export interface LiveWindowStates {
  asa: FigureState;
  remoteResolution: FigureState;
  /** "none" unless a service-level target is set. */
  serviceLevel: FigureState;
  /** "none" unless an abandonment limit is set. */
  abandonmentRate: FigureState;
}

/** SPEC §3 figures over [from, to). Rates are fractions 0–1; null when there is nothing to divide by. */
export interface LiveWindow {
  from: string;
  to: string;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  asaSeconds: number | null;
  serviceLevel: number | null;
  abandonmentRate: number | null;
  completed: number;
  resolvedRemotely: number;
  /** Completed calls whose outcome no one has told yet: in neither side of remoteResolution. */
  resolutionUnknown: number;
  remoteResolution: number | null;
  states: LiveWindowStates;
}

export interface LiveWindows3 {
  m15: LiveWindow;
  m60: LiveWindow;
  today: LiveWindow;
}

/** Visits now (open, past 24 h, past 48 h), and deadlines of the rolling 7 days [from, to). */
export interface LiveVisits {
  open: number;
  late: number;
  overdue: number;
  from: string;
  to: string;
  due24: number;
  resolvedBy24: number;
  visit24: number | null;
  overdue48: number;
}

export interface LiveTargets {
  waitSeconds: number;
  remote: number;
  visit24: number;
  visit48: number;
  serviceLevelThresholdSeconds: number;
  shortAbandonSeconds: number;
  minimumSample: number;
  /** A service-level target (share within serviceLevelThresholdSeconds); null: shown, not judged. */
  serviceLevel: number | null;
  /** An abandonment limit (the rate to stay at or under); null: shown, not judged. */
  abandonment: number | null;
}

export interface LiveStates {
  longestWait: FigureState;
  visit24: FigureState;
  visit48: FigureState;
}

/** A queue's staffing now: agents needed for its ASA target (Erlang C) and the agents it has, with what the model expects there. */
export interface LiveStaffing {
  needed: number | null;
  has: number;
  erlangs: number | null;
  stable: boolean | null;
  expectedAsaSeconds: number | null;
  expectedAbandonment: number | null;
  model: "erlang-a" | "erlang-c" | "none";
  state: FigureState;
  inputs: LiveStaffingInputs;
}

export interface LiveStaffingInputs {
  arrived15: number;
  arrived60: number;
  callsPerHour15: number;
  callsPerHour60: number;
  callsPerHour: number;
  handled60: number;
  talkSeconds: number | null;
  wrapUps60: number;
  wrapUpSeconds: number | null;
  handleSeconds: number | null;
  abandoned60: number;
  patienceSeconds: number | null;
  asaTargetSeconds: number;
}

/**
 * One queue's live state, or the whole center's (queue null). Keep a pushed snapshot only if its seq is not lower
 * than the one shown. Between pushes, tick the longest wait from oldestWaitingSince.
 */
export interface QueueSnapshot {
  queue: string | null;
  seq: number;
  asOf: string;
  callsWaiting: number;
  longestWaitSeconds: number | null;
  oldestWaitingSince: string | null;
  agents: Record<AgentStatus, number>;
  windows: LiveWindows3;
  visits: LiveVisits;
  targets: LiveTargets;
  states: LiveStates;
  staffing: LiveStaffing | null;
}

/** A waiting leg of a queue, longest first: never the caller. Tick the wait from since. */
export interface WaitingLeg {
  callId: string;
  leg: number;
  since: string;
  waitSeconds: number;
  region: string | null;
  language: string | null;
  segment: string | null;
}

/** An agent of a queue now, with today's counts. Tick the time in status from since. */
export interface AgentLive {
  agentId: string;
  status: string;
  since: string;
  statusSeconds: number;
  answeredToday: number;
  averageHandleSeconds: number | null;
  queues: string[] | null;
  reason: string | null;
  missedToday: number;
}

/** A queue in full: what JoinDetail answers and DetailUpdated sends. */
export interface QueueDetail {
  snapshot: QueueSnapshot;
  waiting: WaitingLeg[];
  agentList: AgentLive[];
}

/** What JoinCenter answers: the center's totals and every queue, at once. */
export interface CenterJoined {
  center: QueueSnapshot;
  queues: QueueSnapshot[];
}

/** An alert kind's name: one of those GET /api/alerts/kinds lists (Alerts/AlertKinds.cs). */
export type AlertKind = string;

/**
 * An alert (SPEC §4): raised when a target is breached, acknowledged by a supervisor with a note, cleared by itself.
 * Subject is the queue ("~" for the visits with no call; an alert of an older release may name a visit); queue is where
 * it shows (null: no queue).
 */
export interface Alert {
  id: number;
  kind: AlertKind;
  subject: string;
  queue: string | null;
  severity: "warning" | "breach";
  state: "open" | "acknowledged" | "cleared";
  raisedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  ackNote: string | null;
  clearedAt: string | null;
  /** When it was escalated (email, webhooks), left open and unacknowledged too long; null: not escalated. */
  escalatedAt: string | null;
  /**
   * The figure behind it when raised: value, target, samples, window. A visit alert's as of its last change: the oldest
   * visit's hours since creation, the deadline, how many visits, and their ids, oldest first, at most 200.
   */
  details: { value: number | null; target: number; samples: number | null; window: string; visits?: string[] };
}

/**
 * What watch answers: the center it watches (the whole one or its team's; null if it watches named queues) and each of
 * its queues, whole.
 */
export interface LiveUpdate {
  center: QueueSnapshot | null;
  queues: QueueSnapshot[];
}

/**
 * A watched snapshot's change: the members that differ from the snapshot numbered base, which the screen holds (0: set
 * is the whole snapshot); an object that was an object before carries only its own members that changed.
 */
export interface SnapshotChange {
  queue: string | null;
  seq: number;
  base: number;
  set: Record<string, unknown>;
}

/** What a watching screen receives once a publishing round: the change of its center (null if none) and of each of its queues that changed. */
export interface LiveChanges {
  center: SnapshotChange | null;
  queues: SnapshotChange[];
}

/**
 * The snapshot a change makes of the one held; "stale" if it is not newer (keep what is held), "missed" if it applies
 * to another snapshot than the one held (a change in between was missed: watch again).
 */
export function applyChange(held: QueueSnapshot | null | undefined, change: SnapshotChange): QueueSnapshot | "stale" | "missed" {
  if (held && change.seq <= held.seq) return "stale";
  if (change.base === 0) return change.set as unknown as QueueSnapshot;
  if (!held || held.seq !== change.base) return "missed";
  return merged(held, change.set) as unknown as QueueSnapshot;
}

function merged(held: object, set: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...held };
  for (const [name, value] of Object.entries(set)) {
    const before = out[name];
    out[name] = isObject(value) && isObject(before) ? merged(before, value) : value;
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A screen's watching: the changes that come while a watch is being answered wait for the answer, then apply to it (a
 * change sent before the answer was read is stale, one sent after is against it); a change against another snapshot
 * than the one held (one was lost on the way) makes the screen watch again.
 */
export class Watching {
  private waiting: LiveChanges[] | null = null;

  /** apply answers whether a change was against another snapshot than the one held; watch invokes Watch and holds its answer. */
  constructor(private readonly apply: (changes: LiveChanges) => boolean, private readonly watch: () => Promise<boolean>) {}

  /** An Updated message. */
  received(changes: LiveChanges): void {
    if (this.waiting) this.waiting.push(changes);
    else if (this.apply(changes)) void this.again();
  }

  /** Watches (again), holding back what comes meanwhile; false if watch refused. */
  async again(): Promise<boolean> {
    this.waiting = [];
    let watched = false;
    try {
      watched = await this.watch();
    } finally {
      const waiting = this.waiting;
      this.waiting = null;
      if (watched) for (const changes of waiting) this.received(changes);
    }
    return watched;
  }
}

/** Methods the hub calls on its clients (ILiveClient). */
export interface LiveClient {
  queueUpdated(snapshot: QueueSnapshot): void;
  centerUpdated(snapshot: QueueSnapshot): void;
  detailUpdated(detail: QueueDetail): void;
  updated(changes: LiveChanges): void;
  alertChanged(alert: Alert): void;
}

/** Hub methods a client invokes, with what each answers. */
export interface LiveServer {
  joinCenter(): Promise<CenterJoined>;
  joinQueues(queues: string[]): Promise<QueueSnapshot[]>;
  leaveQueues(queues: string[]): Promise<void>;
  leaveCenter(): Promise<void>;
  joinDetail(queue: string): Promise<QueueDetail>;
  leaveDetail(queue: string): Promise<void>;
  /** No queues (null or empty): the whole center (a team's for a scoped key); otherwise those queues. */
  watch(queues: string[] | null): Promise<LiveUpdate>;
  unwatch(): Promise<void>;
}

/** The names on the wire (SignalR matches them case-insensitively; these are the server's). */
export const LiveMethods = {
  client: {
    queueUpdated: "QueueUpdated", centerUpdated: "CenterUpdated", detailUpdated: "DetailUpdated", updated: "Updated",
    alertChanged: "AlertChanged",
  },
  server: {
    joinCenter: "JoinCenter", joinQueues: "JoinQueues", leaveQueues: "LeaveQueues", leaveCenter: "LeaveCenter",
    joinDetail: "JoinDetail", leaveDetail: "LeaveDetail", watch: "Watch", unwatch: "Unwatch",
  },
} as const;

export const LiveHubPath = "/hubs/live";
