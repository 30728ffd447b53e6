using System.Collections;
using DynamoWriter.Options;

namespace DynamoWriter.Configuration.Tests;

/// <summary><c>sc.orleans.membership</c>: bound from YAML and SC_ variables, validated with key paths, described.</summary>
public class MembershipOptionsTests
{
    [Fact]
    public void Binds_from_yaml_with_go_durations()
    {
        var (options, errors) = TestConfig.BindYaml("""
            sc:
              orleans:
                membership:
                  probeTimeout: 1500ms
                  numMissedProbesLimit: 2
                  numVotesForDeathDeclaration: 1
                  tableRefreshTimeout: 5s
                  deathVoteExpirationTimeout: 1m30s
                  iAmAliveTablePublishTimeout: 10s
            """);

        Assert.Empty(errors);
        var membership = options.Orleans.Membership;
        Assert.Equal(TimeSpan.FromMilliseconds(1500), membership.ProbeTimeout);
        Assert.Equal(2, membership.NumMissedProbesLimit);
        Assert.Equal(1, membership.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(5), membership.TableRefreshTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), membership.DeathVoteExpirationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), membership.IAmAliveTablePublishTimeout);
    }

    [Fact]
    public void Unset_keys_keep_their_defaults()
    {
        var (options, errors) = TestConfig.BindYaml("sc: { orleans: { membership: { numMissedProbesLimit: 4 } } }");

        Assert.Empty(errors);
        Assert.Equal(4, options.Orleans.Membership.NumMissedProbesLimit);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Orleans.Membership.ProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Orleans.Membership.TableRefreshTimeout);
    }

    [Fact]
    public void Binds_from_sc_variables()
    {
        var (options, errors) = TestConfig.Bind(TestConfig.FromEnv(new Hashtable
        {
            ["SC_ORLEANS_MEMBERSHIP_PROBETIMEOUT"] = "2s",
            ["SC_ORLEANS_MEMBERSHIP_NUMMISSEDPROBESLIMIT"] = "5",
            ["SC_ORLEANS_MEMBERSHIP_NUMVOTESFORDEATHDECLARATION"] = "3",
            ["SC_ORLEANS_MEMBERSHIP_TABLEREFRESHTIMEOUT"] = "15s",
            ["SC_ORLEANS_MEMBERSHIP_DEATHVOTEEXPIRATIONTIMEOUT"] = "1m",
            ["SC_ORLEANS_MEMBERSHIP_IAMALIVETABLEPUBLISHTIMEOUT"] = "20s",
        }));

        Assert.Empty(errors);
        var membership = options.Orleans.Membership;
        Assert.Equal(TimeSpan.FromSeconds(2), membership.ProbeTimeout);
        Assert.Equal(5, membership.NumMissedProbesLimit);
        Assert.Equal(3, membership.NumVotesForDeathDeclaration);
        Assert.Equal(TimeSpan.FromSeconds(15), membership.TableRefreshTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), membership.DeathVoteExpirationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), membership.IAmAliveTablePublishTimeout);
        Assert.Empty(DynamoWriterOptionsValidator.Collect(options));
    }

    [Fact]
    public void Bad_values_are_errors_with_key_paths_all_at_once()
    {
        var root = TestConfig.FromYaml(
            """
            sc:
              orleans:
                membership:
                  probeTimeout: soon
                  numMissedProbesLimit: 0
                  numVotesForDeathDeclaration: -1
                  tableRefreshTimeout: 0s
                  deathVoteExpirationTimeout: -1s
                  typo: 1
            """,
            new Hashtable { ["SC_ORLEANS_MEMBERSHIP_IAMALIVETABLEPUBLISHTIMEOUT"] = "0" });

        ConfigurationLoader.LoadAndValidate(root, out var errors);

        Assert.Equal(
            [
                // What does not convert, then unknown keys (the binder), then the validator's findings.
                "sc.orleans.membership.probeTimeout",
                "sc.orleans.membership.deathVoteExpirationTimeout",
                "sc.orleans.membership.typo",
                "sc.orleans.membership.numMissedProbesLimit",
                "sc.orleans.membership.numVotesForDeathDeclaration",
                "sc.orleans.membership.tableRefreshTimeout",
                "sc.orleans.membership.iAmAliveTablePublishTimeout",
            ],
            errors.Select(e => e.KeyPath));
        Assert.Contains(new ConfigError("sc.orleans.membership.numMissedProbesLimit", "0 must be at least 1"), errors);
        Assert.Contains(new ConfigError("sc.orleans.membership.tableRefreshTimeout", "0s must be greater than zero"), errors);
    }

    [Fact]
    public void Described_in_go_style()
    {
        var lines = OptionsDescriber.Describe(new DynamoWriterOptions());

        Assert.Equal(
            [
                "sc.orleans.membership.probeTimeout = 3s",
                "sc.orleans.membership.numMissedProbesLimit = 3",
                "sc.orleans.membership.numVotesForDeathDeclaration = 2",
                "sc.orleans.membership.tableRefreshTimeout = 30s",
                "sc.orleans.membership.deathVoteExpirationTimeout = 2m0s",
                "sc.orleans.membership.iAmAliveTablePublishTimeout = 30s",
            ],
            lines.Where(l => l.StartsWith("sc.orleans.membership.", StringComparison.Ordinal)));
    }
}
