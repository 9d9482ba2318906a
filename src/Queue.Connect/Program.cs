namespace Queue.Connect;

// Not top-level statements: their generated Program is public, and would clash with the service's in the tests.
internal static class Program
{
    static Task<int> Main(string[] args) => ConnectCli.RunAsync(args);
}
