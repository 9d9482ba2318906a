using System.Diagnostics;
using System.Text.Json;

namespace Queue.Simulator.Bench;

/// <summary>
/// <c>Queue.Simulator screens</c>: a share of <c>ops/bench live</c>'s screens, in a process of their own so that they
/// do not take the load generator's threads (SPEC §7). It connects its screens, says <c>connected</c>, then answers the
/// bench line by line on stdin: <c>reset</c> (forget the warm-up), <c>report PROBES PUBLISHED MARKS OUT</c> (read the probes'
/// post timestamps from PROBES, each queue's last published number from PUBLISHED and the load's batches from MARKS,
/// write what its screens saw to OUT), <c>stop</c>. Each answer is one line on stdout.
/// </summary>
internal static class ScreensCommand
{
    /// <summary>How many screens connect at once: enough to fill the floor quickly, few enough not to time out the service.</summary>
    const int ConnectingAtOnce = 16;

    public const string KeyVariable = "QUEUE_SCREENS_KEY";

    public static async Task<int> RunAsync(Args args)
    {
        var address = new Uri(args.String("--address", "http://127.0.0.1:8080/"));
        // The key comes by the environment, not the command line that every user of the machine can list.
        var key = System.Environment.GetEnvironmentVariable(KeyVariable) ?? throw new ArgumentException($"{KeyVariable}: the key the screens connect with");
        var mix = ScreenMix.Of(args.Int("--screens", 2000));
        var first = args.Int("--first", 0, min: 0);
        var count = args.Int("--count", mix.Count - first);
        var queues = args.Int("--queues", 20);
        var messagePack = args.String("--protocol", "messagepack") == "messagepack";
        var join = args.String("--via", "watch") == "join";
        var lean = args.String("--client", "lean") == "lean";
        args.EnsureAllUsed();

        var screens = new Screens(mix, first, count, queues, messagePack, join, lean);
        var connections = new IAsyncDisposable[count];
        try
        {
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = ConnectingAtOnce },
                async (slot, ct) => connections[slot] = await screens.ConnectAsync(slot, address, key, ct));
            Console.WriteLine($"connected {count}");
            var cpuAtReset = TimeSpan.Zero;
            while (Console.ReadLine() is { } line)
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                switch (words)
                {
                    case ["reset"]:
                        screens.Reset();
                        cpuAtReset = Process.GetCurrentProcess().TotalProcessorTime;
                        Console.WriteLine("ok");
                        break;
                    case ["report", var probesFile, var publishedFile, var marksFile, var output]:
                        var probes = JsonSerializer.Deserialize<Dictionary<int, long>>(await File.ReadAllTextAsync(probesFile))!;
                        var published = JsonSerializer.Deserialize<Dictionary<string, long>>(await File.ReadAllTextAsync(publishedFile))!;
                        var marks = JsonSerializer.Deserialize<Dictionary<string, List<long[]>>>(await File.ReadAllTextAsync(marksFile))!;
                        var seen = screens.Seen(probes, published, marks) with { CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtReset).TotalSeconds };
                        await File.WriteAllTextAsync(output, JsonSerializer.Serialize(seen));
                        Console.WriteLine("ok");
                        break;
                    case ["stop"]:
                        return 0;
                    default:
                        Console.Error.WriteLine($"screens: unknown request '{line}'");
                        return 2;
                }
            }
            return 0;
        }
        finally
        {
            await Parallel.ForEachAsync(connections.Where(c => c is not null), async (c, _) => await c.DisposeAsync());
        }
    }
}
