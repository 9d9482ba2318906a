using System.Text;

namespace Queue.Tests.Faults;

/// <summary>
/// Requests to every other endpoint that must each be refused: bad query strings and path values on the reading
/// endpoints, bad bodies on the writing ones, wrong methods, unknown paths, oversized lines and headers, and HTTP
/// that a client library would never write (over a bare socket). None of them asks for anything valid.
/// </summary>
public sealed partial class HostileRequests(Random random)
{
    static readonly string[] Garbage =
    [
        "garbage", "", " ", "now", "yesterday", "2026-11-23", "2026-11-23T10:00:00", "10:00:00Z", "1700000000", "-1", "2026-13-01T00:00:00Z",
        "2026-11-23T10:00:00+5", "0000-01-01T00:00:00Z", "%00", "\0", "' or 1=1--", "<script>alert(1)</script>", "null", "[]", "{}", "😀",
        "\ud800", "2026-11-23T10:00:00Z,2026-11-24T00:00:00Z", new string('9', 5_000),
    ];

    static readonly string From = "2026-11-23T00:00:00Z", To = "2026-11-24T00:00:00Z";

    public IEnumerable<Hostile> All() =>
        Metrics(300).Concat(Alerts(250)).Concat(PathValues(350)).Concat(Reports(100)).Concat(Trends(100)).Concat(Unknown(100))
            .Concat(Keys(150)).Concat(Targets(150)).Concat(Acks(120)).Concat(Methods(80)).Concat(Oversized())
            .Concat(Staffing(360)).Concat(StaffingRole(40)).Concat(ExpectedWaits(240));

    static string Q(string value) => Uri.EscapeDataString(value.Replace("\ud800", "", StringComparison.Ordinal)) + (value.Contains('\ud800', StringComparison.Ordinal) ? "%ED%A0%80" : "");

    string Pick(string[] values) => values[random.Next(values.Length)];

    string BadIdentifier()
    {
        var hostile = Pick(HostileEvents.HostileIdentifiers);
        // Path values of only dots would be folded away by the path's normalisation; empty ones route elsewhere.
        return hostile.Trim('.').Length == 0 ? "a b" : hostile;
    }

    IEnumerable<Hostile> Metrics(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var query = (i % 6) switch
            {
                0 => $"from={Q(Pick(Garbage))}&to={To}",
                1 => $"from={From}&to={Q(Pick(Garbage))}",
                2 => $"from={To}&to={From}",
                3 => $"from=2020-01-01T00:00:00Z&to={To}",
                4 => $"from={From}&to={To}&queue={Q(BadIdentifier())}",
                _ => random.Next(3) switch { 0 => $"to={To}", 1 => $"from={From}", _ => $"from={From}&from={From}&to={To}&to=x" },
            };
            yield return Hostile.Get("bad metrics query", "/api/metrics?" + query);
        }
    }

    IEnumerable<Hostile> Alerts(int count)
    {
        string[] limits = ["0", "-1", "501", "99999999999", "abc", "1.5", "1e3", "0x10", "%00"];
        string[] befores = ["0", "-5", "abc", "99999999999999999999", "1.5", "-9223372036854775808"];
        for (var i = 0; i < count; i++)
        {
            var query = (i % 7) switch
            {
                0 => "limit=" + Q(Pick(limits)),
                1 => "before=" + Q(Pick(befores)),
                2 => "from=" + Q(Pick(Garbage.Where(g => g.Length > 0).ToArray())),
                3 => "to=" + Q(Pick(Garbage.Where(g => g.Length > 0).ToArray())),
                4 => $"from={To}&to={From}",
                5 => "kind=" + Q(Pick(["queue.nope", "' or 1=1", "QUEUE.WAIT", "queue.wait ", "%", "*"])),
                _ => random.Next(2) == 0 ? "state=" + Q(Pick(["opened", "closed", "OPEN", "' or 1=1", "*"])) : "queue=" + Q(BadIdentifier()),
            };
            yield return Hostile.Get("bad alerts query", "/api/alerts?" + query);
        }
    }

    IEnumerable<Hostile> PathValues(int count)
    {
        string[] routes = ["/api/calls/{0}", "/api/queues/{0}", "/api/queues/{0}/trend", "/api/targets/{0}", "/api/alerts/{0}", "/api/alerts/{0}/ack"];
        for (var i = 0; i < count; i++)
        {
            var route = routes[i % routes.Length];
            var value = route.StartsWith("/api/alerts", StringComparison.Ordinal)
                ? Pick(["abc", "1.5", "99999999999999999999", "-1", "0", "999999999", "' or 1=1", "%00", "1;drop"])
                : BadIdentifier();
            var target = string.Format(System.Globalization.CultureInfo.InvariantCulture, route, Q(value));
            if (route.EndsWith("/ack", StringComparison.Ordinal))
                yield return new Hostile("bad path value", "POST", target, Encoding.UTF8.GetBytes("{\"note\":\"seen\"}")) { As = Sender.Admin };
            else yield return Hostile.Get("bad path value", target);
        }
    }

    IEnumerable<Hostile> Reports(int count)
    {
        string[] names = ["2026-W00", "2026-W54", "2026-W53", "W47", "2026W47", "2026-w47", "2026-W47.pdf", "2026-W47.json.csv", "2026-W47.",
            ".json", "0000-W01", "10000-W01", "-2026-W47", "2026-W047", "' or 1=1", "%00", "2026-W47%00.json", "2026-W4７", new string('9', 3_000)];
        for (var i = 0; i < count; i++)
        {
            var name = Q(names[i % names.Length]);
            yield return i % 4 == 3
                ? new Hostile("bad report name", "POST", $"/api/reports/weekly/{name}/send", null, null) { As = Sender.Admin }
                : Hostile.Get("bad report name", $"/api/reports/weekly/{name}");
        }
    }

    IEnumerable<Hostile> Trends(int count)
    {
        string[] days = ["garbage", "2026-13-01", "2026-02-30", "0001-01-01", "9999-12-31", "2026-11-23T00:00:00Z", "23.11.2026", "%00", "-1", "2026-11-2"];
        for (var i = 0; i < count; i++)
        {
            var day = Q(Pick(days));
            yield return Hostile.Get("bad trend day", i % 2 == 0 ? $"/api/center/trend?day={day}" : $"/api/queues/h-q/trend?day={day}");
        }
    }

    IEnumerable<Hostile> Unknown(int count)
    {
        string[] paths = ["/api/nope", "/api/events/1", "/api/queues/a/b/c", "/api/%2e%2e/%2e%2e/etc/passwd", "/.env", "/wp-admin/", "/api/keys/%2e%2e",
            "/api/metrics/", "/api//metrics", "/api/reports", "/api/reports/weekly", "/api/calls", "/api/alerts/1/ack/2", "/%00", "/api/queues/%ff",
            "/api/center/x", "/openapi/v2.json", "/jobs/../../etc/passwd", "/health/die", "/api/targets/a/b"];
        for (var i = 0; i < count; i++) yield return Hostile.Get("unknown path", paths[i % paths.Length]);
    }

    IEnumerable<Hostile> Keys(int count)
    {
        string[] bodies = ["{}", "{\"name\":\"\"}", "{\"name\":\"x\"}", "{\"role\":\"admin\"}", "{\"name\":\"x\",\"role\":\"root\"}",
            "{\"name\":\"x\",\"role\":\"Admin\"}", "{\"name\":5,\"role\":\"admin\"}", "{\"name\":\"x\",\"role\":[\"admin\"]}",
            "{\"name\":\"x\",\"role\":\"admin\",\"extra\":1}", "{\"name\":\"x\",\"role\":\"admin\",\"role\":\"wallboard\"}",
            "{\"name\":\"a\\u0000b\",\"role\":\"admin\"}", "{\"name\":\"a\\ud800\",\"role\":\"admin\"}", "{\"name\":\"" + new string('n', 101) + "\",\"role\":\"admin\"}",
            "null", "[]", "", "garbage", "{\"name\":\"x\",\"role\":\"admin\"", new string('[', 1_000) + new string(']', 1_000),
            "{\"name\":\"x\",\"role\":null}", "{\"name\":\"<script>\",\"role\":\"\"}"];
        for (var i = 0; i < count; i++)
        {
            var body = Encoding.UTF8.GetBytes(bodies[i % bodies.Length]);
            yield return i % 10 == 9
                ? new Hostile("wrong content type", "POST", "/api/keys", Encoding.UTF8.GetBytes("{\"name\":\"x\",\"role\":\"wallboard\"}"), Pick(["text/plain", "application/xml", ""]))
                    { As = Sender.Admin }
                : new Hostile("bad key request", "POST", "/api/keys", body) { As = Sender.Admin };
        }
    }

    IEnumerable<Hostile> Targets(int count)
    {
        string[] bodies = ["{\"waitSeconds\":-1}", "{\"waitSeconds\":0}", "{\"waitSeconds\":3601}", "{\"waitSeconds\":\"30\"}", "{\"waitSeconds\":1e400}",
            "{\"remote\":0}", "{\"remote\":1.5}", "{\"remote\":-0.1}", "{\"visit24\":2}", "{\"visit48\":\"all\"}", "{\"minimumSample\":0}",
            "{\"minimumSample\":1.5}", "{\"minimumSample\":99999999999}", "{\"shortAbandonSeconds\":121}", "{\"bogus\":1}", "{\"WaitSeconds \":20}",
            "{\"waitSeconds\":20,\"waitSeconds\":25}", "{\"waitSeconds\":NaN}", "null", "[]", "garbage", "", new string('{', 500)];
        for (var i = 0; i < count; i++)
        {
            var queue = i % 5 == 4 ? Q(BadIdentifier()) : "h-q";
            var body = i % 5 == 4 ? "{\"waitSeconds\":20}" : bodies[i % bodies.Length];
            yield return new Hostile("bad targets", "PUT", $"/api/targets/{queue}", Encoding.UTF8.GetBytes(body)) { As = Sender.Admin };
        }
    }

    IEnumerable<Hostile> Acks(int count)
    {
        string[] bodies = ["{\"note\":\"\"}", "{\"note\":5}", "{\"note\":null}", "{}", "{\"note\":\"" + new string('n', 2_001) + "\"}", "{\"note\":\"a\\u0000b\"}",
            "{\"note\":\"x\",\"note\":\"y\"}", "{\"note\":\"x\",\"by\":\"me\"}", "null", "", "garbage", "{\"note\":\"\\ud800\"}"];
        for (var i = 0; i < count; i++)
        {
            var target = i % 3 == 2 ? "/api/alerts/999999999/ack" : "/api/alerts/1/ack";
            var body = i % 3 == 2 ? "{\"note\":\"seen\"}" : bodies[i % bodies.Length];
            yield return new Hostile("bad acknowledgement", "POST", target, Encoding.UTF8.GetBytes(body)) { As = Sender.Admin };
        }
    }

    IEnumerable<Hostile> Methods(int count)
    {
        (string Method, string Path)[] wrong = [("PUT", "/api/events"), ("DELETE", "/api/events"), ("PATCH", "/api/events"), ("GET", "/api/events"),
            ("DELETE", "/api/metrics"), ("POST", "/api/metrics"), ("PATCH", "/api/keys"), ("PUT", "/api/keys"), ("POST", "/api/queues"),
            ("DELETE", "/api/center"), ("PUT", "/api/alerts/1"), ("GET", "/api/alerts/1/ack"), ("DELETE", "/api/keys/not-a-guid"),
            ("DELETE", $"/api/keys/{Guid.Empty}"), ("DELETE", "/api/targets/h-never-set"), ("TRACE", "/api/events"), ("POST", "/api/targets/h-q")];
        for (var i = 0; i < count; i++)
        {
            var (method, path) = wrong[i % wrong.Length];
            yield return new Hostile("wrong method", method, path, method is "GET" or "DELETE" or "TRACE" ? null : Encoding.UTF8.GetBytes("{}")) { As = Sender.Admin };
        }
    }

    /// <summary>A request line, a header block and a header count past Kestrel's limits.</summary>
    static IEnumerable<Hostile> Oversized()
    {
        yield return Hostile.Get("request line too long", "/api/metrics?from=" + new string('x', 10_000) + "&to=" + To);
        yield return Hostile.Get("request line too long", "/api/queues/" + new string('q', 9_000));
        yield return Hostile.Get("headers too large", "/api/center") with { Headers = [new("X-Padding", new string('h', 40_000))] };
        yield return Hostile.Get("headers too large", "/api/center") with
        {
            Headers = [.. Enumerable.Range(0, 120).Select(n => new KeyValuePair<string, string>($"X-H{n}", "v"))],
        };
        yield return Hostile.Post("headers too large", "{}") with { As = Sender.OwnKey, Key = new string('k', 40_000) };
    }

    /// <summary>HTTP that a client library would never write.</summary>
    public static IEnumerable<RawHostile> Raw(string ingestKey, string adminKey)
    {
        var poison = "{\"id\":\"h-raw\",\"type\":\"call.dropped\",\"at\":\"2026-11-23T10:00:00Z\",\"callId\":\"h-c\"}";
        string Post(string headers, string body) =>
            $"POST /api/events HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: {ingestKey}\r\nContent-Type: application/json\r\n{headers}\r\n{body}";
        string[] requests =
        [
            "GET /api/center HTTP/1.1\r\n\r\n",
            "GARBAGE\r\n\r\n",
            "GET\r\n\r\n",
            "GET /api/center\r\n\r\n",
            "GET  /api/center HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/center HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
            "GET /api/center HTTP/1.1\r\nHost: x\r\nX-Bad Name: v\r\n\r\n",
            "GET /api/center HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
            "GET /api/center HTTP/1.1\r\nHost: x\r\nX-Nul: a\0b\r\n\r\n",
            "GET /api/center HTTP/1.1\r\nHost: x\r\nX-Cr: a\rb\r\n\r\n",
            "GET /api/center HTTP/1.1\nHost: x\n\n",
            "GET /api/center HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
            "GET http://elsewhere/api/center HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/\u00ff HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/center HTTP/1.1\r\nHost: x\r\nX-Api-Key: ключ\r\n\r\n",
            "get /api/metrics HTTP/1.1\r\nHost: x\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
            "CONNECT localhost:80 HTTP/1.1\r\nHost: x\r\n\r\n",
            Post("Content-Length: abc\r\n", poison),
            Post("Content-Length: -1\r\n", poison),
            Post($"Content-Length: {poison.Length}, {poison.Length + 1}\r\n", poison),
            Post($"Content-Length: {poison.Length}\r\nContent-Length: 5\r\n", poison),
            Post($"Content-Length: 1 0\r\n", poison),
            Post($"Content-Length: {poison.Length}\r\nTransfer-Encoding: chunked\r\n", $"{poison.Length:x}\r\n{poison}\r\n0\r\n\r\n"),
            Post("Transfer-Encoding: gzip\r\n", poison),
            Post("Transfer-Encoding: chunked, gzip\r\n", poison),
            Post("Transfer-Encoding: chunked\r\n", $"zz\r\n{poison}\r\n0\r\n\r\n"),
            Post("Transfer-Encoding: chunked\r\n", $"FFFFFFFFFFFFFFFFFF\r\n{poison}\r\n0\r\n\r\n"),
            Post("Transfer-Encoding: chunked\r\n", $"{poison.Length:x}\r\n{poison}0\r\n\r\n"),
            Post("Transfer-Encoding: chunked\r\n", $"{poison.Length:x};ext=\"\0\"\r\n{poison}\r\n0\r\n\r\n"),
            Post("Content-Length: 100000000\r\n", poison),
            $"PUT /api/targets/h-q HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: {adminKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "FFFFFFFFFFFFFFFFFF\r\n{\"waitSeconds\":20}\r\n0\r\n\r\n",
            $"POST /api/keys HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: {adminKey}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "FFFFFFFFFFFFFFFFFF\r\n{\"name\":\"x\",\"role\":\"admin\"}\r\n0\r\n\r\n",
        ];
        foreach (var request in requests)
        {
            for (var copy = 0; copy < 5; copy++)
                yield return new RawHostile("malformed HTTP", Encoding.Latin1.GetBytes(request.Replace("ключ", "\u00d0\u00ba\u00d0\u00bb", StringComparison.Ordinal)));
        }
    }
}
