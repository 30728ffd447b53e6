namespace DynamoWriter.Options;

/// <summary>
/// The <c>sc.orleans.membership</c> section: how fast the cluster notices a dead silo and hands its queues
/// to the survivors. Applied to Orleans' <c>ClusterMembershipOptions</c>; the defaults other than
/// <see cref="ProbeTimeout"/> and <see cref="TableRefreshTimeout"/> are Orleans' own (a test keeps them equal).
/// </summary>
public sealed class MembershipOptions
{
    /// <summary>Orleans waits 5s per probe; 3s lets a crash be declared sooner on a healthy network.</summary>
    public static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(3);
    public const int DefaultNumMissedProbesLimit = 3;
    public const int DefaultNumVotesForDeathDeclaration = 2;

    /// <summary>Orleans reads the table every 60s; 30s lets silos that missed a change learn it sooner.</summary>
    public static readonly TimeSpan DefaultTableRefreshTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultDeathVoteExpirationTimeout = TimeSpan.FromSeconds(120);
    public static readonly TimeSpan DefaultIAmAliveTablePublishTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a silo waits for a probe's answer before counting it as missed.</summary>
    public TimeSpan ProbeTimeout { get; set; } = DefaultProbeTimeout;

    /// <summary>Missed probes in a row after which a silo votes its peer dead.</summary>
    public int NumMissedProbesLimit { get; set; } = DefaultNumMissedProbesLimit;

    /// <summary>Votes that declare a silo dead (with fewer live silos, all of them).</summary>
    public int NumVotesForDeathDeclaration { get; set; } = DefaultNumVotesForDeathDeclaration;

    /// <summary>How often each silo re-reads the membership table.</summary>
    public TimeSpan TableRefreshTimeout { get; set; } = DefaultTableRefreshTimeout;

    /// <summary>How long a death vote counts.</summary>
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = DefaultDeathVoteExpirationTimeout;

    /// <summary>How often a silo writes its I-am-alive time into the table (what <c>status</c> shows as lastAliveAt).</summary>
    public TimeSpan IAmAliveTablePublishTimeout { get; set; } = DefaultIAmAliveTablePublishTimeout;
}
