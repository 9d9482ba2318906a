using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Web;

/// <summary>
/// A floor of sixty queues (floor-01 … floor-60) for the wallboard's layout tests, posted once per service: an hour of
/// answered calls and agents in each, and in every seventh (07, 14, …) a caller waiting five minutes, past its target.
/// What a board shows of them is read page by page with <see cref="Check"/>.
/// </summary>
static class Floor
{
    public const int Size = 60;
    static readonly ConditionalWeakTable<WebService, Task> Seeded = [];
    static readonly Lock Gate = new();

    public static string Name(int i) => $"floor-{i:00}";

    /// <summary>The first <paramref name="count"/> queues, as a wallboard link lists them.</summary>
    public static string Names(int count) => string.Join(',', Enumerable.Range(1, count).Select(Name));

    public static bool InBreach(int i) => i % 7 == 0;

    public static Task SeedAsync(WebService web)
    {
        lock (Gate)
        {
            if (!Seeded.TryGetValue(web, out var seeding)) Seeded.Add(web, seeding = PostAsync(web));
            return seeding;
        }
    }

    static async Task PostAsync(WebService web)
    {
        var now = DateTimeOffset.UtcNow;
        var events = new List<JsonNode>();
        var n = 0;
        string Id() => $"floor-e{++n}";
        for (var q = 1; q <= Size; q++)
        {
            var queue = Name(q);
            string[] agents = [$"{queue}-op-1", $"{queue}-op-2", $"{queue}-op-3"];
            events.Add(Ev.AgentStatus(Id(), now.AddMinutes(-70), agents[0], "available", queue));
            events.Add(Ev.AgentStatus(Id(), now.AddMinutes(-70), agents[1], "busy", queue));
            events.Add(Ev.AgentStatus(Id(), now.AddMinutes(-70), agents[2], q % 3 == 0 ? "break" : "wrap_up", queue));
            for (var c = 0; c < 4; c++)
            {
                var call = $"{queue}-c{c}";
                var at = now.AddMinutes(-55 + 12 * c);
                events.Add(Ev.Queued(Id(), at, call, queue));
                events.Add(Ev.Answered(Id(), at.AddSeconds(8 + 3 * c + q % 5), call, agents[c % 2]));
                events.Add(Ev.Completed(Id(), at.AddMinutes(4), call, c == 3 && q % 4 == 0 ? "unresolved" : "resolved"));
            }
            if (InBreach(q)) events.Add(Ev.Queued(Id(), now.AddMinutes(-5), $"{queue}-waiting", queue));
        }
        await web.PostAsync([.. events]);
    }

    /// <summary>
    /// What the board shows now, in one look: the page and pages, the "page N of M" it says, the text size, the queues
    /// on screen in order, those whose calls waiting, longest wait and ASA are all on screen and uncut, and anything cut
    /// off: a figure outside its box, its tile, the queues' area, the screen or any box that hides what overflows it; a
    /// tile, figure or count box that holds more than it shows; the page scrolling; the alert strip off screen.
    /// </summary>
    public const string Check = """
        (() => {
          const screen = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
          const within = (r, o) => r.left >= o.left - 1 && r.right <= o.right + 1 && r.top >= o.top - 1 && r.bottom <= o.bottom + 1;
          const cut = e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1;
          const size = e => `${e.clientWidth}×${e.clientHeight} holds ${e.scrollWidth}×${e.scrollHeight}`;
          const tiles = document.getElementById('tiles');
          const problems = [], seen = [], queues = [];
          if (cut(document.documentElement)) problems.push('the page scrolls: ' + size(document.documentElement));
          for (const q of tiles.querySelectorAll('[data-queue]')) {
            const name = q.dataset.queue;
            queues.push(name);
            if (q.matches('.tile') && cut(q)) problems.push(`${name} tile: ${size(q)}`);
            let all = true;
            for (const f of ['waiting', 'longest', 'asa']) {
              const fig = q.querySelector(`[data-fig='${f}']`), value = fig?.querySelector('.fig-value');
              if (!value) { problems.push(`${name} ${f}: not there`); all = false; continue; }
              const r = value.getBoundingClientRect();
              const why = [];
              if (!(r.width > 0 && r.height > 0) || getComputedStyle(value).visibility !== 'visible') why.push('not drawn');
              if (!within(r, fig.getBoundingClientRect())) why.push('outside its box');
              if (!within(r, tiles.getBoundingClientRect())) why.push('outside the queues');
              if (!within(r, screen)) why.push('off screen');
              if (cut(value)) why.push('text cut: ' + size(value));
              for (let a = value.parentElement; a; a = a.parentElement)
                if (getComputedStyle(a).overflow !== 'visible' && !within(r, a.getBoundingClientRect())) why.push(`hidden by ${a.tagName}.${a.className}`);
              if (why.length > 0) { problems.push(`${name} ${f} '${value.textContent}': ${why.join(', ')}`); all = false; }
            }
            if (all) seen.push(name);
          }
          for (const e of tiles.querySelectorAll('.tile .fig, .counts'))
            if (cut(e)) problems.push(`${e.closest('[data-queue]').dataset.queue} ${e.dataset.fig}: ${size(e)}`);
          const strip = document.getElementById('alerts').getBoundingClientRect();
          if (!(strip.height > 0 && within(strip, screen))) problems.push('the alert strip is not on screen');
          const said = document.getElementById('page');
          return { page: Number(tiles.dataset.page), pages: Number(tiles.dataset.pages), says: said.hidden ? '' : said.textContent,
            unit: parseFloat(tiles.dataset.unit), natural: tiles.dataset.natural, area: `${tiles.clientWidth}×${tiles.clientHeight}`, readable: Math.min(innerHeight / 60, innerWidth / 106.7), queues, seen, problems };
        })()
        """;

    public sealed record Look(int Page, int Pages, string Says, double Unit, string Natural, string Area, double Readable, string[] Queues, string[] Seen, string[] Problems);

    /// <summary>
    /// Reads the board as its pages turn (a short <c>page-seconds</c>) until it has seen every page, each checked: nothing
    /// cut off, "page N of M" said when there is more than one. Returns each page as first seen.
    /// </summary>
    public static async Task<Look[]> EveryPageAsync(Func<string, Task<JsonElement>> evaluate, int timeoutMs = 30_000)
    {
        var pages = new Dictionary<int, Look>();
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        int? count = null;
        while (count is null || pages.Count < count)
        {
            Assert.True(DateTime.UtcNow < until, $"the board did not show all its pages within {timeoutMs} ms: saw {string.Join(", ", pages.Keys)} of {count} ({pages.Values.FirstOrDefault()})");
            var look = (await evaluate(Check)).Deserialize<Look>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            if (look.Queues.Length > 0 && !pages.ContainsKey(look.Page))
            {
                Assert.True(look.Problems.Length == 0, $"page {look.Page} of {look.Pages} ({look}): {string.Join("; ", look.Problems)}");
                Assert.Equal(look.Pages > 1 ? $"page {look.Page} of {look.Pages}" : "", look.Says);
                if (count is not null) Assert.Equal(count, look.Pages);
                count = look.Pages;
                pages[look.Page] = look;
            }
            await Task.Delay(150);
        }
        return [.. pages.OrderBy(p => p.Key).Select(p => p.Value)];
    }
}
