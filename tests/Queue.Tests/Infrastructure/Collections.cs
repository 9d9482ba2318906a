namespace Queue.Tests.Infrastructure;

/// <summary>
/// Test classes that measure a deadline (live state back within a second of Redis) or load the machine on purpose
/// (two service processes and a thousand episodes) run alone, after the others: on two cores, a deadline measured
/// beside the rest of the suite measures the suite.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
