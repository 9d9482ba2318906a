using System.Text;
using Queue.Connect.Asterisk;
using Queue.Connect.Posting;

namespace Queue.Connect.Pumping;

/// <summary>What a run read and what became of it, printed at the end of an import (and of a follow, when stopped).</summary>
internal sealed class RunSummary
{
    /// <summary>Items read: lines of a log, rows of a file, events of a socket.</summary>
    public long Lines { get; set; }
    public long Events { get; set; }
    public PostResult Posted { get; set; } = PostResult.None;
    /// <summary>Items skipped, by cause; a run's causes are all of its source's own enum.</summary>
    public SortedDictionary<Enum, long> Skipped { get; } = [];

    public void Skip(Enum cause) => Skipped[cause] = Skipped.GetValueOrDefault(cause) + 1;

    /// <summary>The queue_log summary: lines, and what the mapping dropped or set aside.</summary>
    public string Format(MappingCounts mapping)
    {
        var notes = new List<string>
        {
            $"ghost legs dropped:  {mapping.GhostLegsDropped}",
        };
        if (mapping.GhostLegsAlreadySent > 0) notes.Add($"ghost legs already sent: {mapping.GhostLegsAlreadySent}");
        notes.Add($"consult channels:    {mapping.ConsultChannels}");
        if (mapping.NotMapped.Count > 0)
            notes.Add($"lines of other events: {string.Join(", ", mapping.NotMapped.Select(p => $"{p.Key} {p.Value}"))}");
        return Format("lines", notes);
    }

    /// <summary>The summary of any source: <paramref name="unit"/> names what it reads ("lines", "rows", "events").</summary>
    public string Format(string unit, IEnumerable<string> notes)
    {
        var b = new StringBuilder();
        b.AppendLine($"{unit + " read:",-21}{Lines}");
        b.AppendLine($"events posted:       {Events}");
        b.AppendLine($"  new:               {Posted.New}");
        b.AppendLine($"  duplicates:        {Posted.Duplicates}");
        b.AppendLine($"  refused:           {Posted.Rejected}");
        b.AppendLine($"{unit + " skipped:",-21}{Skipped.Values.Sum()}");
        foreach (var (cause, n) in Skipped) b.AppendLine($"  {cause.ToString().ToLowerInvariant(),-18} {n}");
        foreach (var note in notes) b.AppendLine(note);
        return b.ToString();
    }
}
