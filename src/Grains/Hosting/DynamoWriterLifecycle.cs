using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.DynamoDb;
using DynamoWriter.Grains.Writer;
using DynamoWriter.Options;
using DynamoWriter.Streaming.Redis.Storage;
using Backoff = DynamoWriter.Resilience.Backoff;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DynamoWriter.Grains.Hosting;

/// <summary>
/// The writer's part of the silo's life. Before the stream provider starts, every target table is checked
/// (a missing one fails start-up with all of them named); when the silo stops, the shutdown deadline
/// starts counting, and after the writer grains have deactivated (their final checkpoints written) the
/// totals are logged. Orleans stops the pulling agents (stop reading) before it deactivates grains.
/// </summary>
internal sealed partial class DynamoWriterLifecycle(
    IOptions<DynamoWriterOptions> options,
    TableWriters tables,
    WriterShutdown shutdown,
    WriterTotals totals,
    SiloHealth health,
    TimeProvider time,
    ILogger<DynamoWriterLifecycle> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private static readonly TimeSpan StartupRetryBudget = TimeSpan.FromMinutes(1);

    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(DynamoWriterLifecycle), ServiceLifecycleStage.ApplicationServices - 1, StartAsync, StoppedAsync);
        lifecycle.Subscribe(nameof(DynamoWriterLifecycle) + ".Active", ServiceLifecycleStage.Active + 1, BecameActiveAsync, StoppingAsync);
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        health.MarkStarting();
        StartLog.Starting(logger, o.Stream.Group, string.Join(",", o.Stream.Streams), o.DynamoDB.WritePolicy, o.Orleans.ClusterId);
        var literal = o.Stream.Streams.Where(s => !StreamKeys.IsPattern(s));
        var names = literal.Select(o.DynamoDB.TableFor).Append(o.DynamoDB.TableName).Distinct(StringComparer.Ordinal).ToList();
        try
        {
            await RetryTransientAsync(() => tables.Catalog.EnsureTablesAsync(names, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            health.MarkStartFailed(ex);
            throw;
        }
    }

    private Task BecameActiveAsync(CancellationToken cancellationToken)
    {
        health.MarkRunning();
        return Task.CompletedTask;
    }

    private Task StoppingAsync(CancellationToken cancellationToken)
    {
        health.MarkStopping();
        StartLog.Stopping(logger);
        shutdown.Begin(options.Value.ShutdownTimeout);
        return Task.CompletedTask;
    }

    private Task StoppedAsync(CancellationToken cancellationToken)
    {
        health.MarkStopped();
        if (shutdown.Abandon.IsCancellationRequested)
        {
            StartLog.ShutdownTimedOut(logger);
        }

        StartLog.Stopped(logger, totals.Written, totals.Deleted, totals.Skipped, totals.DeadLettered, totals.Acknowledged);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A backend that is slow or restarting while we start is not a reason to crash-loop: transient errors
    /// are retried for up to a minute. A permanent one (a missing table) fails at once.
    /// </summary>
    private async Task RetryTransientAsync(Func<Task> step, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + StartupRetryBudget;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await step().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (DynamoErrorClassifier.IsTransient(ex) && time.GetUtcNow() < deadline && !cancellationToken.IsCancellationRequested)
            {
                var delay = Backoff.FullJitter(attempt, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200));
                StartLog.StartupRetry(logger, ex, "DynamoDB", (long)delay.TotalMilliseconds);
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static partial class StartLog
    {
        [LoggerMessage(1000, LogLevel.Information, "DynamoWriter starting: group {Group}, streams {Streams}, write policy {Policy}, cluster {ClusterId}")]
        public static partial void Starting(ILogger logger, string group, string streams, WritePolicy policy, string clusterId);

        [LoggerMessage(1001, LogLevel.Information, "DynamoWriter stopping: reading stopped, finishing in-flight writes")]
        public static partial void Stopping(ILogger logger);

        [LoggerMessage(1002, LogLevel.Information, "DynamoWriter stopped: {Written} written, {Deleted} deleted, {Skipped} skipped, {DeadLettered} dead-lettered, {Acknowledged} acknowledged")]
        public static partial void Stopped(ILogger logger, long written, long deleted, long skipped, long deadLettered, long acknowledged);

        [LoggerMessage(1003, LogLevel.Warning, "Shutdown timeout reached: what was not written stays pending in Redis for the next start")]
        public static partial void ShutdownTimedOut(ILogger logger);

        [LoggerMessage(1004, LogLevel.Warning, "{Backend} did not answer at start-up; retrying in {DelayMs} ms")]
        public static partial void StartupRetry(ILogger logger, Exception exception, string backend, long delayMs);
    }
}
