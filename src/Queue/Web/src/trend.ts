// Today's trend of a queue in 15-minute buckets (GET /api/queues/{queue}/trend): calls offered as bars, ASA and
// service level as lines, in the center's time.
import uPlot from "uplot";

export interface TrendBucket {
  from: string;
  to: string;
  offered: number;
  answered: number;
  abandoned: number;
  asaSeconds: number | null;
  serviceLevel: number | null;
}

export interface Trend {
  queue: string | null;
  day: string;
  timeZone: string;
  buckets: TrendBucket[];
}

export function drawTrend(box: HTMLElement, trend: Trend, previous: uPlot | null): uPlot {
  const xs = trend.buckets.map((b) => Date.parse(b.from) / 1000);
  const data: uPlot.AlignedData = [
    xs,
    trend.buckets.map((b) => b.offered),
    trend.buckets.map((b) => b.asaSeconds),
    trend.buckets.map((b) => (b.serviceLevel === null ? null : b.serviceLevel * 100)),
  ];
  const width = Math.max(320, box.clientWidth);
  if (previous && previous.width === width) {
    previous.setData(data);
    return previous;
  }
  previous?.destroy();
  const bars = uPlot.paths.bars!({ size: [0.7, 40], align: 1 });
  const hhmm = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: trend.timeZone });
  const options: uPlot.Options = {
    width,
    height: 240,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), trend.timeZone),
    cursor: { drag: { x: false, y: false } },
    scales: { calls: { range: (_u, _min, max) => [0, Math.max(4, max * 1.15)] }, s: { range: (_u, _min, max) => [0, Math.max(30, max * 1.15)] }, pct: { range: [0, 100] } },
    axes: [
      { values: (_u, splits) => splits.map((t) => hhmm.format(t * 1000)) },
      { scale: "calls", label: "calls / 15 min", size: 55 },
      { scale: "s", side: 1, label: "ASA s", size: 50, grid: { show: false } },
      { scale: "pct", side: 1, label: "service level %", size: 55, grid: { show: false } },
    ],
    series: [
      { label: "Time" },
      { label: "Calls offered", scale: "calls", paths: bars, fill: "rgba(80, 120, 170, 0.35)", stroke: "#50789a", points: { show: false } },
      { label: "ASA (s)", scale: "s", stroke: "#c21f2a", width: 2, spanGaps: false },
      { label: "Service level (%)", scale: "pct", stroke: "#16803c", width: 2, dash: [6, 4], spanGaps: false },
    ],
  };
  return new uPlot(options, data, box);
}
