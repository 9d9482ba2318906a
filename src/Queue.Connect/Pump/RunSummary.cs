using System.Text;
using Queue.Connect.Asterisk;
using Queue.Connect.Posting;

namespace Queue.Connect.Pumping;

/// <summary>What a run read and what became of it, printed at the end of an import (and of a follow, when stopped).</summary>
internal sealed class RunSummary
{
    public long Lines { get; set; }
    public long Events { get; set; }
    public PostResult Posted { get; set; } = PostResult.None;
    public SortedDictionary<SkipCause, long> Skipped { get; } = [];

    public void Skip(SkipCause cause) => Skipped[cause] = Skipped.GetValueOrDefault(cause) + 1;

    public string Format(MappingCounts mapping)
    {
        var b = new StringBuilder();
        b.AppendLine($"lines read:          {Lines}");
        b.AppendLine($"events posted:       {Events}");
        b.AppendLine($"  new:               {Posted.New}");
        b.AppendLine($"  duplicates:        {Posted.Duplicates}");
        b.AppendLine($"  refused:           {Posted.Rejected}");
        b.AppendLine($"lines skipped:       {Skipped.Values.Sum()}");
        foreach (var (cause, n) in Skipped) b.AppendLine($"  {cause.ToString().ToLowerInvariant(),-18} {n}");
        b.AppendLine($"ghost legs dropped:  {mapping.GhostLegsDropped}");
        if (mapping.GhostLegsAlreadySent > 0) b.AppendLine($"ghost legs already sent: {mapping.GhostLegsAlreadySent}");
        b.AppendLine($"consult channels:    {mapping.ConsultChannels}");
        if (mapping.NotMapped.Count > 0)
            b.AppendLine($"lines of other events: {string.Join(", ", mapping.NotMapped.Select(p => $"{p.Key} {p.Value}"))}");
        return b.ToString();
    }
}
