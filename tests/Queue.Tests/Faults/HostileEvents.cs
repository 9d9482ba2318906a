using System.Text;
using static Queue.Tests.Faults.EventTemplates;

namespace Queue.Tests.Faults;

/// <summary>
/// Bodies for <c>POST /api/events</c> that must each be refused whole: broken, nested, oversized, mistyped, duplicated,
/// hostile, badly encoded. Generated from a seed, so a failure names a request that the same seed makes again.
/// None of them holds a batch that could be stored.
/// </summary>
public sealed class HostileEvents(EventTemplates events, Random random)
{
    /// <summary>Strings no identifier may hold (SPEC §2 allows letters, digits, '.', '_', '-', ':').</summary>
    public static readonly string[] HostileIdentifiers =
    [
        "'; drop table events;--", "1' or '1'='1", "\"; select pg_sleep(10);--", "x'||(select version())||'", "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>", "javascript:alert(1)", "{b2c}", "q:{x}", "../../etc/passwd", "..\\..\\windows", "%00", "%27%20or%201=1",
        "a b", "a\tb", "a\nb", "a\r\nb", "$(reboot)", "`id`", "a;b", "a|b", "a&b", "a*b", "a?b", "a/b", "a#b", "a@b", "a,b", "a+b", "a=b",
        "a~b", "a!b", "a^b", "a(b)", "a[b]", "a\"b", "a\\b", "a'b", "a%b", "a$b", "a<b", "a>b", "\u200Bq", "q\u202Eevil", "\uFEFFq", "\U0001F600",
        "q\U0001F600", "\u00A0q", "q\u2028", "${jndi:ldap://x/a}", "\u0007bell", "q\u007F", " q", "q ", "",
    ];

    static readonly char[] BadCharacters = " !\"#$%&'()*+,/;<=>?@[\\]^`{|}~\t\u007F\u00A0\u200B\u2028\u202E\uFEFF".ToCharArray();

    /// <summary>Byte sequences that are not UTF-8: a lone lead or continuation byte, overlong forms, an encoded surrogate, past U+10FFFF.</summary>
    static readonly byte[][] BadUtf8 =
    [
        [0xFF], [0xFE], [0x80], [0xBF], [0xC0, 0xAF], [0xC1, 0x81], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],
        [0xF4, 0x90, 0x80, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC3, 0x28], [0xE9],
    ];

    const string Structural = "\"{}[],:0a\\ -";

    static readonly string[] LoneSurrogates = ["\\ud800", "\\udbff", "\\udc00", "\\udfff", "x\\ud800", "\\ud800x", "\\udc00\\ud800", "\\ud800\\ud800"];

    static readonly string[] BadInstants =
    [
        "2026-11-23T10:00:00", "2026-11-23", "10:00:00Z", "2026-02-30T10:00:00Z", "2026-11-31T10:00:00Z", "2026-13-01T10:00:00Z",
        "2026-00-10T10:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T23:60:00Z", "2026-11-23T23:59:60Z", "2026-11-23T10:00:00+24:00",
        "2026-11-23T10:00:00+05", "2026-11-23T10:00:00+0500", "2026-11-23T10:00:00+15:00", "2026-11-23T10:00:00.Z",
        "2026-11-23T10:00:00.1234567890Z", "2026-11-23 10:00:00Z", "2026/11/23T10:00:00Z", "20261123T100000Z", "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1970-01-01T00:00:00Z", "2026-11-23T10:00:00ZZ", " 2026-11-23T10:00:00Z",
        "2026-11-23T10:00:00Z ", "２０２６-11-23T10:00:00Z", "now", "yesterday", "", "null", "1700000000", "2026-W47-1T10:00:00Z",
        "2026-11-23T10:00:00+05:00[Asia/Yekaterinburg]", "+002026-11-23T10:00:00Z", "2026-11-23T10:00:00\u0000Z",
    ];

    static readonly string[] NotEvents =
    [
        "", " ", "\r\n\t ", "null", "true", "false", "0", "-1", "1e999", "\"call.queued\"", "[]", "{}", "[null]", "[1,2,3]", "[[]]", "[{}]",
        "[{},{}]", "[\"\"]", "{\"events\":[]}", "NaN", "Infinity", "-Infinity", "undefined", "[,]", "[1,]", "{,}", "{\"id\":}", "{'id':'x'}",
        "{id:\"x\"}", "/* comment */ {}", "{} // comment", "{}{}", "[][]", "{\"a\":1}garbage", "\uFEFF", "\uFEFF\uFEFF{}", "<events/>",
        "id=x&type=call.queued", "{\"\":\"\"}", "[\"call.queued\",\"x\"]", "{\"id\":\"x\",\"type\":\"call.queued\"}",
    ];

    public IEnumerable<Hostile> All() =>
        Truncated(1_000).Concat(Mutated(1_500)).Concat(Nested(300)).Concat(HugeStrings(150)).Concat(WrongTypes(1_200))
            .Concat(DuplicateFields(400)).Concat(Identifiers(1_000)).Concat(HostileIds(200)).Concat(Nul(300)).Concat(InvalidUtf8(400))
            .Concat(Surrogates(300)).Concat(HugeBatches()).Concat(NotAnEvent(300)).Concat(BadTimes(600)).Concat(UnknownFields(300))
            .Concat(MissingFields(300)).Concat(Conflicts(100)).Concat(ContentTypes(400)).Concat(Keys(200));

    string Type() => Types[random.Next(Types.Length)];

    List<(string Name, string Value)> Event(string? type = null) => events.Of(type ?? Type(), $"h-{random.Next(1_000_000)}");

    /// <summary>A batch of valid events with the given one among them, as one object when it is alone.</summary>
    string Around(string spoiled)
    {
        var shape = random.Next(3);
        if (shape == 0) return spoiled;
        var valid = Enumerable.Range(0, random.Next(1, 4)).Select(_ => Write(Event())).ToList();
        valid.Insert(shape == 1 ? 0 : valid.Count, spoiled);
        return "[" + string.Join(",", valid) + "]";
    }

    string Valid(int count) => count == 1 ? Write(Event()) : "[" + string.Join(",", Enumerable.Range(0, count).Select(_ => Write(Event()))) + "]";

    IEnumerable<Hostile> Truncated(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var text = Valid(random.Next(1, 6));
            yield return Hostile.Post("truncated JSON", text[..random.Next(text.Length)]);
        }
    }

    IEnumerable<Hostile> Mutated(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var batch = new List<string> { Write(Event()), Write(Event()) };
            foreach (var poison in events.Poisons) batch.Insert(random.Next(batch.Count + 1), poison);
            var bytes = Encoding.UTF8.GetBytes("[" + string.Join(",", batch) + "]").ToList();
            for (var m = random.Next(1, 3); m > 0; m--)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0: bytes[at] = random.Next(2) == 0 ? (byte)random.Next(256) : (byte)Structural[random.Next(Structural.Length)]; break;
                    case 1: bytes.RemoveAt(at); break;
                    case 2: bytes.Insert(at, (byte)random.Next(256)); break;
                    default: bytes.InsertRange(at, bytes.Skip(random.Next(bytes.Count)).Take(random.Next(1, 20)).ToList()); break;
                }
            }
            yield return Hostile.Post("mutated bytes", [.. bytes]);
        }
    }

    IEnumerable<Hostile> Nested(int count)
    {
        int[] depths = [9, 10, 64, 65, 1_000, 10_000, 100_000];
        for (var i = 0; i < count; i++)
        {
            var depth = i < depths.Length * 6 ? depths[i % depths.Length] : random.Next(9, 5_000);
            var value = random.Next(3) switch
            {
                0 => new string('[', depth) + new string(']', depth),
                1 => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth),
                _ => string.Concat(Enumerable.Repeat("[{\"a\":", depth / 2)) + "1" + string.Concat(Enumerable.Repeat("}]", depth / 2)),
            };
            var e = Event();
            yield return Hostile.Post("deep nesting", (i % 6) switch
            {
                0 => value,
                1 => Around(Write(e.Append(("x", value)))),
                2 => Around(Write(e.Select(f => f.Name == e[^1].Name ? (f.Name, value) : f))),
                3 => new string('[', depth),
                4 => "[" + Write(e) + "," + value + "]",
                _ => Around(Write(events.Of("agent.status", "h-nest").Select(f => f.Name == "queues" ? (f.Name, "[" + value + "]") : f))),
            });
        }
    }

    IEnumerable<Hostile> HugeStrings(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var length = i switch
            {
                < 2 => 9_000_000,
                < 12 => 1_000_000,
                _ => new[] { 101, 102, 1_000, 4_096, 65_536, 200_000 }[random.Next(6)],
            };
            var huge = new string((char)('a' + random.Next(26)), length);
            var e = Event();
            var at = random.Next(e.Count + 1);
            yield return Hostile.Post("huge string", Around(Write(at == e.Count
                ? e.Append((huge, "1"))
                : e.Select((f, k) => k == at ? (f.Name, Json(f.Name == "caller" ? huge.Replace('a', 'x') : huge)) : f))));
        }
    }

    IEnumerable<Hostile> WrongTypes(int count)
    {
        string[] anything = ["0", "-1", "1.5", "1e308", "-1e308", "123456789012345678901234567890", "true", "false", "[]", "[\"x\"]", "{}",
            "{\"a\":\"b\"}", "\"\""];
        for (var i = 0; i < count; i++)
        {
            var type = Type();
            var e = Event(type);
            var at = random.Next(e.Count);
            var name = e[at].Name;
            var pool = name switch
            {
                "queues" => ["\"h-q\"", "5", "{}", "[5]", "[null]", "[[]]", "[\"\"]", "[\"a b\"]", "true", "[{}]"],
                "caller" => ["5", "true", "[]", "{}", "\"\"", "\"abc\"", "\"12\"", "\"123456789012345678901\"", "79120000000"],
                // A number of seconds, 0 to a day: any number in that range is right.
                "ringSeconds" => ["-1", "-0.001", "86400.5", "1e308", "-1e308", "123456789012345678901234567890", "true", "[]", "{}", "\"15\"", "\"\""],
                _ => IsRequired(type, name) ? [.. anything, "null"] : anything,
            };
            yield return Hostile.Post("wrong type", Around(Write(e.Select((f, k) => k == at ? (f.Name, pool[random.Next(pool.Length)]) : f))));
        }
    }

    IEnumerable<Hostile> DuplicateFields(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var e = Event();
            var twice = e[random.Next(e.Count)];
            var again = random.Next(2) == 0 ? twice : Event(e[1].Value.Trim('"')).First(f => f.Name == twice.Name);
            if (random.Next(4) == 0) (twice, again) = (("x-extra", "1"), ("x-extra", "1"));
            e.Insert(random.Next(e.Count + 1), again);
            if (twice.Name == "x-extra") e.Add(twice);
            yield return Hostile.Post("duplicate property", Around(Write(e)));
        }
    }

    IEnumerable<Hostile> Identifiers(int count)
    {
        for (var i = 0; i < count; i++)
        {
            string hostile;
            if (i < HostileIdentifiers.Length * 4) hostile = HostileIdentifiers[i % HostileIdentifiers.Length];
            else
            {
                var plain = new string([.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => "abcXYZ019._-:"[random.Next(13)])]);
                hostile = plain.Insert(random.Next(plain.Length + 1), BadCharacters[random.Next(BadCharacters.Length)].ToString());
            }
            var e = Event();
            var fields = e.Select((f, k) => (f, k)).Where(x => IdentifierFields.Contains(x.f.Name) || x.f.Name == "queues").ToList();
            var (field, at) = fields[random.Next(fields.Count)];
            var value = field.Name == "queues" ? $"[\"h-q\",{Json(hostile)}]" : Json(hostile);
            yield return Hostile.Post("hostile identifier", Around(Write(e.Select((f, k) => k == at ? (f.Name, value) : f))));
        }
    }

    /// <summary>Event ids are free text, so SQL and HTML in one are stored as they are; here a bad event beside it keeps the batch out.</summary>
    IEnumerable<Hostile> HostileIds(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var id = HostileIdentifiers[random.Next(HostileIdentifiers.Length)];
            var e = events.Of(Type(), id);
            var poison = events.Poisons[random.Next(3)];
            yield return Hostile.Post("hostile event id beside a bad event", random.Next(2) == 0 ? $"[{Write(e)},{poison}]" : $"[{poison},{Write(e)}]");
        }
    }

    IEnumerable<Hostile> Nul(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var e = Event();
            var at = random.Next(e.Count);
            var (name, value) = e[at];
            var body = (i % 4) switch
            {
                0 => Write(e.Select((f, k) => k == at && value.StartsWith('"') ? (name, value.Insert(1 + random.Next(value.Length - 1), "\\u0000")) : f)),
                1 => Write(e.Select((f, k) => k == at && value.StartsWith('"') ? (name, value.Insert(1 + random.Next(value.Length - 1), "\0")) : f)),
                2 => Write(e.Select((f, k) => k == at ? (name.Insert(random.Next(name.Length), "\0"), value) : f)),
                _ => Write(e).Insert(random.Next(1, Write(e).Length), "\0"),
            };
            // Where the field was not a string, the NUL still lands somewhere that no event may hold.
            if (!body.Contains('\0') && !body.Contains("\\u0000", StringComparison.Ordinal)) body = body.Insert(1, "\"\\u0000\":1,");
            yield return Hostile.Post("NUL", Around(body));
        }
    }

    IEnumerable<Hostile> InvalidUtf8(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(Valid(random.Next(1, 4)));
            if (i % 20 == 19)
            {
                // The whole body in UTF-16 or UTF-32, with or without a byte order mark.
                Encoding encoding = new[] { Encoding.Unicode, Encoding.BigEndianUnicode, Encoding.UTF32 }[random.Next(3)];
                var text = Encoding.UTF8.GetString(bytes);
                yield return Hostile.Post("not UTF-8", [.. (random.Next(2) == 0 ? encoding.GetPreamble() : []), .. encoding.GetBytes(text)]);
                continue;
            }
            var bad = BadUtf8[random.Next(BadUtf8.Length)];
            var at = random.Next(bytes.Length + 1);
            yield return Hostile.Post("invalid UTF-8", [.. bytes[..at], .. bad, .. bytes[at..]]);
        }
    }

    IEnumerable<Hostile> Surrogates(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var e = Event();
            var at = random.Next(e.Count);
            var lone = LoneSurrogates[random.Next(LoneSurrogates.Length)];
            var (name, value) = e[at];
            IEnumerable<(string Name, string Value)> spoiled = random.Next(3) switch
            {
                0 when value.StartsWith('"') => e.Select((f, k) => k == at ? (name, value.Insert(1 + random.Next(value.Length - 1), lone)) : f),
                1 => e.Append(($"x{lone}", "1")),
                _ => e.Select((f, k) => k == at ? (name, $"\"{lone}\"") : f),
            };
            // A name written with an escape is compared unescaped: Write would escape the backslash, so it is built by hand.
            yield return Hostile.Post("lone surrogate", Around("{" + string.Join(",", spoiled.Select(f =>
                (f.Name.Contains('\\', StringComparison.Ordinal) ? $"\"{f.Name}\"" : Json(f.Name)) + ":" + f.Value)) + "}"));
        }
    }

    IEnumerable<Hostile> HugeBatches()
    {
        foreach (var size in new[] { 5_001, 5_500, 10_000 })
            yield return Hostile.Post("more than 5,000 events", "[" + string.Join(",", Enumerable.Range(0, size).Select(n => Write(events.Of(Type(), $"h-big-{n}")))) + "]");
        yield return Hostile.Post("more than 5,000 events", "[" + string.Join(",", Enumerable.Repeat("1", 100_000)) + "]");
        yield return Hostile.Post("more than 5,000 events", "[" + string.Join(",", Enumerable.Repeat("{}", 5_001)) + "]");
        yield return Hostile.Post("more than 5,000 events", "[" + string.Join(",", Enumerable.Repeat("[]", 1_000_000)) + "]");

        // Over 10 MB: with a length given up front, sent in chunks with none, and a valid batch padded past the limit.
        var valid = Write(Event());
        yield return Hostile.Post("over 10 MB", "[" + valid + new string(' ', 10 * 1024 * 1024) + "]");
        yield return Hostile.Post("over 10 MB", "[" + valid + new string(' ', 10 * 1024 * 1024) + "]") with { Chunked = true };
        yield return Hostile.Post("over 10 MB", "[" + string.Join(",", Enumerable.Repeat(valid, 10 * 1024 * 1024 / valid.Length + 100)) + "]");
        yield return Hostile.Post("over 10 MB", new string('[', 11 * 1024 * 1024)) with { Chunked = true };
        yield return Hostile.Post("over 10 MB", "\"" + new string('a', 20 * 1024 * 1024) + "\"");
    }

    IEnumerable<Hostile> NotAnEvent(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var body = NotEvents[i % NotEvents.Length];
            if (i >= NotEvents.Length) body = new string(' ', random.Next(4)) + body + new string('\n', random.Next(3));
            yield return Hostile.Post("not an event", body);
        }
    }

    IEnumerable<Hostile> BadTimes(int count)
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var at = random.Next(5) switch
            {
                0 => now.AddMinutes(5).AddSeconds(random.Next(2, 100_000)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                1 => now.AddDays(-7).AddSeconds(-random.Next(60, 10_000_000)).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                _ => BadInstants[random.Next(BadInstants.Length)],
            };
            var e = Event();
            yield return Hostile.Post("bad time", Around(Write(e.Select(f => f.Name == "at" ? (f.Name, Json(at)) : f))));
        }
    }

    IEnumerable<Hostile> UnknownFields(int count)
    {
        string[] names = ["colour", "Id", "ID", "TYPE", "callID", "call_id", "agentID", "queue ", " queue", "queues2", "", "__proto__", "constructor",
            "$where", "at\u200B", "toqueue", "visitid", "caller_number", "payload", "extra"];
        for (var i = 0; i < count; i++)
        {
            var type = Type();
            var e = Event(type);
            var name = random.Next(3) == 0
                ? new[] { "callId", "queue", "agentId", "toQueue", "resolution", "status", "queues", "visitId", "caller" }
                    .First(n => !e.Any(f => f.Name == n) && !(type == "visit.created" && n is "callId" or "region"))
                : names[random.Next(names.Length)];
            e.Insert(random.Next(e.Count + 1), (name, random.Next(2) == 0 ? Json("h-x") : "1"));
            yield return Hostile.Post("unknown field", Around(Write(e)));
        }
    }

    IEnumerable<Hostile> MissingFields(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var type = Type();
            var e = Event(type);
            var required = e.Where(f => IsRequired(type, f.Name)).ToList();
            var gone = required[random.Next(required.Count)];
            yield return Hostile.Post("missing field", Around(Write(e.Where(f => f.Name != gone.Name))));
        }
    }

    /// <summary>The same id twice in one batch with different content: a 409, and nothing of the batch stored.</summary>
    IEnumerable<Hostile> Conflicts(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var id = $"h-twice-{i}";
            var first = events.Of("call.abandoned", id);
            var second = events.Of("call.abandoned", id).Select(f => f.Name == "callId" ? (f.Name, Json("h-other")) : f);
            yield return Hostile.Post("same id, other content", $"[{Write(Event())},{Write(first)},{Write(second)}]");
        }
    }

    /// <summary>Valid batches sent as something other than JSON: refused for what they are declared to be.</summary>
    IEnumerable<Hostile> ContentTypes(int count)
    {
        string?[] types = [null, "", "text/plain", "text/html", "application/xml", "text/xml", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "application/octet-stream", "image/png", "application/jsonx", "application/js0n", "json",
            "application", "application/", "*/*", "text/*", "application/javascript", "application/x-ndjson"];
        string[] encodings = ["gzip", "br", "deflate", "x-unknown", "gzip, identity", "compress"];
        for (var i = 0; i < count; i++)
        {
            var body = Encoding.UTF8.GetBytes(Valid(random.Next(1, 3)));
            if (i % 3 == 2)
                yield return new Hostile("compressed body", "POST", "/api/events", body)
                {
                    Headers = [new("Content-Encoding", encodings[random.Next(encodings.Length)])],
                };
            else yield return new Hostile("wrong content type", "POST", "/api/events", body, types[random.Next(types.Length)]);
        }
    }

    /// <summary>Valid batches without a key, with a wrong one, or with a key of a role that may not post.</summary>
    IEnumerable<Hostile> Keys(int count)
    {
        string[] keys = ["", " ", "x", "qk_not-a-real-key-0000000000000000", "' or 1=1--", new string('k', 10_000), "Bearer x",
            "own_00000000000000000000000000000000"];
        for (var i = 0; i < count; i++)
        {
            var post = Hostile.Post("no key or a wrong key", Valid(random.Next(1, 3)));
            yield return (i % 3) switch
            {
                0 => post with { As = Sender.Nobody },
                1 => post with { As = Sender.Wallboard, Kind = "a key that may not post" },
                _ => post with { As = Sender.OwnKey, Key = keys[random.Next(keys.Length)] },
            };
        }
    }
}
