namespace Queue.Connect;

/// <summary>
/// Where events go and with which key: <c>QUEUE_URL</c> or <c>--url</c>; <c>QUEUE_KEY</c> or <c>--key-file</c>.
/// A key is never taken from the command line, where any user of the machine can read it in the process list.
/// </summary>
internal sealed record ServiceTarget(Uri Url, string Key)
{
    public static ServiceTarget Resolve(string? url, string? keyFile, Func<string, string?> env)
    {
        var address = url ?? env("QUEUE_URL");
        if (string.IsNullOrWhiteSpace(address)) throw new UsageException("no service to post to: set QUEUE_URL or give --url URL");
        if (!Uri.TryCreate(address.EndsWith('/') ? address : address + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"--url / QUEUE_URL must be an http(s) address, not '{address}'");
        string? key;
        if (keyFile is not null)
        {
            if (!File.Exists(keyFile)) throw new UsageException($"--key-file {keyFile}: no such file");
            key = File.ReadAllText(keyFile).Trim();
        }
        else key = env("QUEUE_KEY")?.Trim();
        if (string.IsNullOrEmpty(key)) throw new UsageException("no API key: set QUEUE_KEY or give --key-file FILE (a key of role ingest, or import for history)");
        return new ServiceTarget(uri, key);
    }
}

/// <summary>A command line or setting that cannot work, said plainly (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
