// The console's drill-down queue in full: watched over the hub, which sends it again as it changes (DetailUpdated).
import { type HubConnection, HubConnectionState } from "@microsoft/signalr";
import { type QueueDetail, LiveMethods } from "./live";
import { api } from "./common";

export class DetailWatcher {
  private hub: HubConnection | null = null;
  private watched: string | null = null;

  constructor(private readonly key: () => string) {}

  /** A new connection watches nothing yet: the drill-down joins its queue again. */
  connected(connection: HubConnection): void {
    this.hub = connection;
    this.watched = null;
  }

  /**
   * The queue in full, from the hub, which then sends it again whenever its waiting calls, agents or figures change;
   * over HTTP while the connection is down, or when the hub will not show it (the HTTP answer says why).
   */
  async watch(queue: string): Promise<QueueDetail> {
    const connection = this.hub;
    if (connection?.state === HubConnectionState.Connected) {
      if (this.watched && this.watched !== queue) {
        const old = this.watched;
        this.watched = null;
        void connection.invoke(LiveMethods.server.leaveDetail, old).catch(() => undefined);
      }
      try {
        const shown = await connection.invoke<QueueDetail>(LiveMethods.server.joinDetail, queue);
        this.watched = queue;
        return shown;
      } catch {
        // refused or cut off: HTTP says which
      }
    }
    return api<QueueDetail>(this.key(), `/api/queues/${encodeURIComponent(queue)}`);
  }
}
