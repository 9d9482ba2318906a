// What both pages share: the key, calls to the API, the live hub connection, and small DOM and format helpers.
// Text from the service (queue names, notes, key names) is only ever set as textContent, never parsed as HTML.
import { HttpError, HubConnection, HubConnectionBuilder, HubConnectionState, LogLevel } from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import type { FigureState } from "./live";
import { LiveHubPath } from "./live";

/** The key's owner, as GET /api/me answers. */
export interface Me {
  name: string;
  role: "ingest" | "wallboard" | "supervisor" | "admin";
  timeZone: string | null;
}

/** An RFC 9457 problem document, as every error of the API is. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Record<string, string[]>;
}

/**
 * The key from the link (`#key=…`), kept in localStorage and taken out of the address bar at once so it never
 * shows on screen; or the one kept from before.
 */
export function takeKey(storageName: string): string | null {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ""));
  const fromLink = hash.get("key");
  if (fromLink !== null) {
    hash.delete("key");
    const rest = hash.toString();
    history.replaceState(null, "", location.pathname + location.search + (rest ? "#" + rest : ""));
    if (fromLink.trim()) {
      localStorage.setItem(storageName, fromLink.trim());
      return fromLink.trim();
    }
  }
  return localStorage.getItem(storageName);
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem | null) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
  }
}

/** GET or POST JSON with the key; a non-2xx answer throws an ApiError carrying the problem document. */
export async function api<T>(key: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { "X-Api-Key": key, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  if (!response.ok) throw await refusal(response);
  return (await response.json()) as T;
}

/** A refused request as an ApiError, with its problem document when it has one. */
async function refusal(response: Response): Promise<ApiError> {
  try {
    return new ApiError(response.status, (await response.json()) as Problem);
  } catch {
    return new ApiError(response.status, null);
  }
}

/**
 * Downloads a table as CSV: the API's answer to `path` with `Accept: text/csv`, saved under the name the API gives it
 * (a link cannot carry the key's header, so the page fetches the file and hands it to the browser).
 */
/**
 * A list read again because a push said something changed (not what): at most once every `quietMs`, however many
 * pushes come in meanwhile (a busy center pushes several times a second); never by polling.
 */
export class Reread {
  private readAt = 0;
  private timer: number | null = null;

  constructor(private readonly quietMs: number, private readonly read: () => Promise<void>) {}

  /** Something changed: read again as soon as the quiet time since the last read allows. */
  soon(): void {
    if (this.timer !== null) return;
    this.timer = window.setTimeout(() => {
      this.timer = null;
      this.now();
    }, Math.max(0, this.readAt + this.quietMs - Date.now()));
  }

  /** Read at once (a new queue shown, the first read). */
  now(): void {
    this.readAt = Date.now();
    void this.read();
  }
}

export async function downloadCsv(key: string, path: string): Promise<void> {
  const response = await fetch(path, { headers: { "X-Api-Key": key, Accept: "text/csv" }, cache: "no-store" });
  if (!response.ok) throw await refusal(response);
  const name = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "queue-table.csv";
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Who the key is; an ApiError with 401 for a bad or revoked key, anything else is the network or the service. */
export async function whoAmI(key: string): Promise<Me | null> {
  try {
    return await api<Me>(key, "/api/me");
  } catch (e) {
    // A service without /api/me still serves the pages: the clock then takes the center's offset from a snapshot.
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export interface LiveEvents {
  /** Joined (again): ask for the snapshots. Called on start and after every reconnection. */
  joined(connection: HubConnection, again: boolean): Promise<void>;
  /** Lost: reconnecting. */
  lost(): void;
  /** The hub refused the key (401) or its role (403). */
  refused(status: number): void;
}

/**
 * The live connection: reconnects forever (a capped back-off), and when SignalR gives up (the service was down longer
 * than its reconnect attempts, or refused the start) starts again until it is back.
 */
export function connectLive(key: string, events: LiveEvents): HubConnection {
  const connection = new HubConnectionBuilder()
    .withUrl(LiveHubPath, { accessTokenFactory: () => key })
    // The messages of the JSON protocol, in MessagePack: the same names and values, smaller and quicker to read (ADR 0009).
    .withHubProtocol(new MessagePackHubProtocol())
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (c) => Math.min(500 * 2 ** c.previousRetryCount, 5000) })
    .configureLogging(LogLevel.Warning)
    .build();
  connection.serverTimeoutInMilliseconds = 15_000;
  connection.keepAliveIntervalInMilliseconds = 5_000;
  connection.onreconnecting(() => events.lost());
  connection.onreconnected(() => void events.joined(connection, true).catch(() => connection.stop()));
  connection.onclose(() => {
    events.lost();
    void start(true);
  });

  async function start(again: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (connection.state !== HubConnectionState.Disconnected) return;
      try {
        await connection.start();
        await events.joined(connection, again);
        return;
      } catch (e) {
        if (e instanceof HttpError && (e.statusCode === 401 || e.statusCode === 403)) {
          events.refused(e.statusCode);
          return;
        }
        if ((connection.state as HubConnectionState) === HubConnectionState.Connected) {
          // Joined but the join failed: stop, and onclose starts again.
          await connection.stop();
          return;
        }
        if (attempt === 0 && !again) events.lost();
        await sleep(Math.min(1000 * (attempt + 1), 5000));
      }
    }
  }
  void start(false);
  return connection;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Child = Node | string | null | undefined | false;

/** An element with attributes and children; strings become text nodes (never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === "class") e.className = String(value);
    else e.setAttribute(name, value === true ? "" : value);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return e;
}

export function text(e: Element, value: string): void {
  if (e.textContent !== value) e.textContent = value;
}

/** 75 → "1:15"; 3700 → "1:01:40". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return "–";
  return `${(rate * 100).toFixed(rate >= 0.995 || rate === 0 ? 0 : 1).replace(/\.0$/, "")}%`;
}

/** Seconds since `since` (an RFC 3339 string) at `now`. */
export function secondsSince(since: string, now: number): number {
  return (now - Date.parse(since)) / 1000;
}

/** "+05:00" from "2026-11-30T00:00:00+05:00": the center's offset, when its zone name is not known. */
export function offsetOf(rfc3339: string): string | null {
  const m = /([+-]\d\d:\d\d|Z)$/.exec(rfc3339);
  return m ? (m[1] === "Z" ? "+00:00" : m[1]) : null;
}

/** Formats an instant in the center's zone (an IANA id), or at a fixed offset when only that is known. */
export function centerFormat(zone: string | null, offset: string | null, options: Intl.DateTimeFormatOptions): (t: number) => string {
  if (zone) {
    const f = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: zone });
    return (t) => f.format(t);
  }
  const minutes = offset ? (offset[0] === "-" ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) : 0;
  const f = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" });
  return (t) => f.format(t + minutes * 60_000);
}

/** A figure's state in words, for those who do not see the colour: "✓ on target", "◆ near target", "▲ OVER target" (or "▼ UNDER" a share); "" for none. */
export function stateMark(state: FigureState, under = false): string {
  return state === "ok" ? "✓ on target" : state === "warning" ? "◆ near target" : state === "breach" ? (under ? "▼ UNDER target" : "▲ OVER target") : "";
}

/** A problem document as one line a person can act on. */
export function problemText(e: unknown): string {
  if (e instanceof ApiError) {
    const p = e.problem;
    const fields = p?.errors ? Object.entries(p.errors).map(([k, v]) => `${k} ${v.join("; ")}`).join(" · ") : "";
    return [`${e.status}`, p?.title, p?.detail && p.detail !== "See errors." ? p.detail : "", fields].filter(Boolean).join(" — ");
  }
  return e instanceof Error ? e.message : String(e);
}
