namespace Queue.Connect;

internal static class ConnectCli
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(args.Length == 0 ? 2 : 0);
}
