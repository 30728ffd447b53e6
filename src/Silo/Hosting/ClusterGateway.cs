using DynamoWriter.Grains;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Options;
using DynamoWriter.Status;
using Orleans.Configuration;
using StackExchange.Redis;

namespace DynamoWriter.Silo.Hosting;

/// <summary>
/// The running cluster, asked as an Orleans client through a gateway: the gateways come from the same
/// membership <see cref="SiloClustering"/> joins (the streams' Redis, or the localhost gateway port).
/// </summary>
internal static class ClusterGateway
{
    /// <summary>How long a command waits for a gateway before it reads Redis and DynamoDB itself.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The status report from a silo of the cluster, or null when no gateway answers within <see cref="ConnectTimeout"/>.</summary>
    public static async Task<StatusReport?> TryGetStatusAsync(DynamoWriterOptions options, CancellationToken cancellationToken)
    {
        var orleans = options.Orleans;
        if (orleans.UsesLocalhostClustering && orleans.GatewayPort == 0)
        {
            return null; // a single silo whose gateway port was picked at its start: nothing to dial
        }

        using var host = new HostBuilder().UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(c =>
            {
                c.ClusterId = orleans.ClusterId;
                c.ServiceId = orleans.ServiceId;
            });
            client.Configure<ConnectionOptions>(c => c.OpenConnectionTimeout = ConnectTimeout);
            ClusterTls.Configure(client, orleans.Tls);
            if (orleans.UsesLocalhostClustering)
            {
                client.UseLocalhostClustering(orleans.GatewayPort, orleans.ServiceId, orleans.ClusterId);
            }
            else
            {
                var redis = DynamoWriterRedis.For(options.Stream.EffectiveServer, "dynamo-writer:status");
                client.UseRedisClustering(o => o.ConfigurationOptions = redis);
            }
        }).Build();

        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(ConnectTimeout);
        try
        {
            // WaitAsync as well: a membership Redis that does not answer would hold the start past the token.
            await host.StartAsync(connect.Token).WaitAsync(connect.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OrleansException or RedisException or TimeoutException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }

        var report = await host.Services.GetRequiredService<IClusterClient>()
            .GetGrain<IDynamoWriterManagementGrain>(IDynamoWriterManagementGrain.Key)
            .GetStatusAsync()
            .WaitAsync(cancellationToken)
            .ConfigureAwait(false);
        await host.StopAsync(cancellationToken).ConfigureAwait(false);
        return report;
    }
}
