using DynamoWriter.Options;
using DynamoWriter.Silo.Hosting;
using Orleans.Configuration;

namespace DynamoWriter.Silo.Tests.Hosting;

public sealed class SiloClusteringTests
{
    [Fact]
    public void Membership_keys_reach_orleans()
    {
        var from = new MembershipOptions
        {
            ProbeTimeout = TimeSpan.FromSeconds(1),
            NumMissedProbesLimit = 2,
            NumVotesForDeathDeclaration = 1,
            TableRefreshTimeout = TimeSpan.FromSeconds(4),
            DeathVoteExpirationTimeout = TimeSpan.FromSeconds(50),
            IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(6),
        };
        var to = new ClusterMembershipOptions();

        SiloClustering.ApplyMembership(from, to);

        Assert.Equal(TimeSpan.FromSeconds(1), to.ProbeTimeout);
        Assert.Equal(2, to.NumMissedProbesLimit);
        Assert.Equal(1, to.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(4), to.TableRefreshTimeout);
        Assert.Equal(TimeSpan.FromSeconds(50), to.DeathVoteExpirationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(6), to.IAmAliveTablePublishTimeout);
    }

    [Fact]
    public void Defaults_other_than_probe_and_refresh_are_orleans_own()
    {
        var orleans = new ClusterMembershipOptions();

        Assert.Equal(MembershipOptions.DefaultNumMissedProbesLimit, orleans.NumMissedProbesLimit);
        Assert.Equal(MembershipOptions.DefaultNumVotesForDeathDeclaration, orleans.NumVotesForDeathDeclaration);
        Assert.Equal(MembershipOptions.DefaultDeathVoteExpirationTimeout, orleans.DeathVoteExpirationTimeout);
        Assert.Equal(MembershipOptions.DefaultIAmAliveTablePublishTimeout, orleans.IAmAliveTablePublishTimeout);
    }
}
