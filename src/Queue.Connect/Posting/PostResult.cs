namespace Queue.Connect.Posting;

/// <summary>What the service said of the events posted: the sums of its <c>{"received","new","duplicates"}</c> answers, and how many it refused.</summary>
internal sealed record PostResult(long Received, long New, long Duplicates, long Rejected)
{
    public static readonly PostResult None = new(0, 0, 0, 0);

    public static PostResult operator +(PostResult a, PostResult b) =>
        new(a.Received + b.Received, a.New + b.New, a.Duplicates + b.Duplicates, a.Rejected + b.Rejected);
}

/// <summary>The service refuses the key (401/403): nothing will be accepted until an operator gives another.</summary>
internal sealed class KeyRefusedException(int status) : Exception($"the service refused the key (HTTP {status}): check QUEUE_KEY or --key-file, and the key's role (ingest, or import for history)")
{
    public int Status => status;
}
