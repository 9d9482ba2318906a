namespace Queue.Tests.Faults;

/// <summary>
/// The planners' what-if (<c>GET /api/staffing</c>, supervisor) and a caller's expected wait
/// (<c>GET /api/queues/{queue}/ewt</c>, wallboard): each request has at least one value out of its rule, so every
/// one must be refused, whatever the others say.
/// </summary>
public sealed partial class HostileRequests
{
    /// <summary>Not a finite number in any parameter's range: NaN and infinities, overflow, other digits, other notations, text.</summary>
    static readonly string[] NotNumbers =
    [
        "NaN", "nan", "-NaN", "Infinity", "-Infinity", "+Infinity", "∞", "1e309", "-1e309", "1e400", "abc", "0x10", "1,5", "1 000", "1_000", "1e", "--1",
        "1..2", "١٢٠", "１２０", "१२०", "٣٠", "12٠", "%00", "\0", "null", "true", "[]", "{}", "' or 1=1", "😀", "\ud800", new string('9', 5_000), "",
    ];

    static readonly string[] NotWholeNumbers =
    [
        "0", "-1", "1.5", "1e3", "100001", "2147483648", "99999999999999999999", "+5", " 5", "5 ", "0x10", "5,5", "٥", "５", "NaN", "Infinity", "",
    ];

    static readonly (string Name, string Value)[] Valid = [("callsPerHour", "120"), ("ahtSeconds", "240"), ("agents", "10"), ("targetSeconds", "30")];

    /// <summary>Values past a parameter's range (or for <c>-0</c>, at it only where the range starts above 0).</summary>
    static readonly Dictionary<string, string[]> OutOfRange = new(StringComparer.Ordinal)
    {
        ["callsPerHour"] = ["-1", "-0.0001", "1000001", "1e7", "1.7976931348623157e308", "-1.7976931348623157e308"],
        ["ahtSeconds"] = ["0", "-0", "0.999", "-240", "14400.001", "1e5", "4.9e-324"],
        ["targetSeconds"] = ["-0.001", "-30", "3600.0001", "1e10"],
        ["patienceSeconds"] = ["0", "-0", "0.5", "-60", "86400.5", "1e12", "4.9e-324"],
    };

    static string Query(IEnumerable<(string Name, string Value)> parameters) =>
        string.Join("&", parameters.Select(p => $"{Q(p.Name)}={Q(p.Value)}"));

    IEnumerable<Hostile> Staffing(int count)
    {
        string[] numbers = ["callsPerHour", "ahtSeconds", "targetSeconds"];
        for (var i = 0; i < count; i++)
        {
            var parameters = Valid.ToList();
            void Set(string name, string value) => parameters[parameters.FindIndex(p => p.Name == name)] = (name, value);
            switch (i % 9)
            {
                case 0: Set(numbers[random.Next(numbers.Length)], Pick(NotNumbers)); break;
                case 1:
                    var name = Pick([.. OutOfRange.Keys]);
                    if (name == "patienceSeconds") parameters.Add((name, Pick(OutOfRange[name])));
                    else Set(name, Pick(OutOfRange[name]));
                    break;
                case 2: Set("agents", Pick(NotWholeNumbers)); break;
                case 3: parameters.Add(("patienceSeconds", Pick([.. NotNumbers.Where(n => n.Length > 0)]))); break;
                case 4: parameters.Add(("queue", BadIdentifier())); break;
                // A required parameter missing, or given empty or blank.
                case 5:
                    var gone = random.Next(parameters.Count);
                    if (random.Next(2) == 0) parameters.RemoveAt(gone);
                    else parameters[gone] = (parameters[gone].Name, Pick(["", " ", "\t"]));
                    break;
                // The same parameter twice: two values are not one number.
                case 6:
                    var twice = Pick([.. Valid.Select(v => v.Name), "patienceSeconds", "queue"]);
                    var value = twice switch { "patienceSeconds" => "60", "queue" => "h-q", _ => Valid.First(v => v.Name == twice).Value };
                    if (twice is "patienceSeconds" or "queue") parameters.Add((twice, value));
                    parameters.Insert(random.Next(parameters.Count + 1), (twice, random.Next(2) == 0 ? value : "7"));
                    break;
                // Absurd together though each is in range: a load past 100,000 Erlangs.
                case 7:
                    Set("callsPerHour", Pick(["1000000", "999999.99", "500000"]));
                    Set("ahtSeconds", Pick(["14400", "9999", "720.01"]));
                    Set("agents", Pick(["1", "100000"]));
                    if (random.Next(2) == 0) parameters.Add(("patienceSeconds", "86400"));
                    break;
                // Everything wrong at once, in any order, with names in another case.
                default:
                    parameters = [("callsPerHour", Pick(NotNumbers)), ("ahtSeconds", Pick(OutOfRange["ahtSeconds"])), ("agents", Pick(NotWholeNumbers)),
                        ("targetSeconds", Pick(NotNumbers)), ("patienceSeconds", Pick(OutOfRange["patienceSeconds"])), ("queue", BadIdentifier()),
                        ("CALLSPERHOUR", "120"), ("agents ", "10")];
                    parameters = [.. parameters.OrderBy(_ => random.Next())];
                    break;
            }
            yield return Hostile.Get("bad staffing query", "/api/staffing?" + Query(parameters));
        }
    }

    /// <summary>A sound question from keys whose role may not plan: the wallboard's and the ingest's.</summary>
    static IEnumerable<Hostile> StaffingRole(int count)
    {
        for (var i = 0; i < count; i++)
            yield return Hostile.Get("staffing without the role", "/api/staffing?" + Query(Valid)) with { As = i % 2 == 0 ? Sender.Wallboard : Sender.Ingest };
    }

    IEnumerable<Hostile> ExpectedWaits(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var (queue, query) = (i % 5) switch
            {
                0 => (BadIdentifier(), ""),
                1 => (BadIdentifier(), "?position=" + Q(Pick(["1", "5", "100000"]))),
                2 => ("h-q", "?position=" + Q(Pick(NotWholeNumbers.Where(n => n.Length > 0).Append("100001").Append("-0").ToArray()))),
                3 => ("h-q", "?" + Pick(["position=1&position=2", "position=3&position=3", "position=2&POSITION=2", "position=1&position=100001", "position=1,2"])),
                _ => (Pick(["h-q", new string('q', 101), "q\u00e9\u0301" + new string('x', 99)]), "?position=" + Q(Pick(NotNumbers.Where(n => n.Length > 0).ToArray()))),
            };
            yield return Hostile.Get("bad expected wait query", $"/api/queues/{Q(queue)}/ewt{query}") with { As = i % 4 == 0 ? Sender.Admin : Sender.Wallboard };
        }
    }
}
