using System.Diagnostics.Metrics;
using DynamoWriter.Diagnostics;
using DynamoWriter.Options;
using DynamoWriter.Grains.Operations.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DynamoWriter.Grains.Operations.Stats;

/// <summary>What one poll found for one stream of the group.</summary>
public sealed record StreamStats(string Stream, string Group, long? Lag, long Pending, double OldestPendingAgeSeconds, string DeadLetterStream, long DeadLetterLength)
{
    /// <summary>False when the stream or the group does not exist (yet): no lag or pending numbers then.</summary>
    public bool GroupExists { get; init; } = true;
}

/// <summary>
/// Polls Redis every few seconds (XINFO GROUPS, XPENDING summary, XLEN of the dead-letter stream) for the
/// configured streams and group, and exposes the results as observable gauges tagged <c>stream</c> and
/// <c>group</c>: <c>dynamowriter.stream.lag</c>, <c>dynamowriter.stream.pending</c>,
/// <c>dynamowriter.stream.oldest_pending_age</c> (seconds since the oldest pending entry was added, from
/// the time in its ID) and <c>dynamowriter.stream.dead_letter.length</c>.
/// </summary>
/// <remarks>
/// Polling instead of asking Redis during a scrape keeps <c>/metrics</c> fast and independent of Redis.
/// When a poll fails, the gauges report nothing (rather than stale numbers) until the next good poll.
/// </remarks>
public sealed class StreamStatsCollector : BackgroundService
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(5);

    private readonly DynamoWriterOptions _options;
    private readonly StreamStatusReader _reader;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private volatile IReadOnlyList<StreamStats> _snapshot = [];
    private bool _failing;

    public StreamStatsCollector(IOptions<DynamoWriterOptions> options, DynamoWriterMetrics metrics, DynamoWriterRedis redis,
        ILogger<StreamStatsCollector> logger, TimeProvider? time = null)
    {
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _reader = new StreamStatusReader(redis, _options.Stream, _time);
        metrics.CreateObservableGauge("dynamowriter.stream.lag", () => Observe(s => s.Lag), "{entry}",
            "Entries in the stream not yet delivered to the consumer group (XINFO GROUPS lag).");
        metrics.CreateObservableGauge("dynamowriter.stream.pending", () => Observe(s => s.Pending), "{entry}",
            "Entries delivered to the consumer group but not yet acknowledged.");
        metrics.CreateObservableGauge("dynamowriter.stream.oldest_pending_age", () => Observe(s => s.OldestPendingAgeSeconds), "s",
            "Age of the oldest pending entry of the group (now minus the time in its ID); 0 when none is pending.");
        metrics.CreateObservableGauge("dynamowriter.stream.dead_letter.length", ObserveDeadLetters, "{entry}",
            "Entries in the dead-letter stream of each source stream (XLEN).");
    }

    /// <summary>How often Redis is polled.</summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    /// <summary>The latest poll's results.</summary>
    public IReadOnlyList<StreamStats> Snapshot => _snapshot;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            do
            {
                await PollOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Polls once; failures are logged (once per outage) and clear the gauges.</summary>
    public async Task PollOnceAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(PollTimeout);
        try
        {
            _snapshot = await ReadAsync(timeout.Token).ConfigureAwait(false);
            if (_failing)
            {
                _failing = false;
                OperationsLog.StatsRecovered(_logger);
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Whatever went wrong (a server error, a reply we did not expect), a metrics poller must never
            // stop the host: report nothing, log once per outage, try again at the next interval.
            _snapshot = [];
            if (!_failing)
            {
                _failing = true;
                OperationsLog.StatsFailed(_logger, ex);
            }
        }
    }

    /// <summary>The same numbers <c>dynamo-writer status</c> shows, from the same reader.</summary>
    private async Task<IReadOnlyList<StreamStats>> ReadAsync(CancellationToken ct)
    {
        var streams = await _reader.ResolveStreamsAsync(ct).ConfigureAwait(false);
        var result = new List<StreamStats>(streams.Count);
        foreach (var stream in streams)
        {
            var s = await _reader.ReadAsync(stream, ct).ConfigureAwait(false);
            result.Add(new StreamStats(s.Stream, s.Group, s.Lag, s.Pending, s.OldestPendingAgeSeconds ?? 0, s.DeadLetterStream, s.DeadLetterLength)
            {
                GroupExists = s.GroupExists,
            });
        }

        return result;
    }

    private IEnumerable<Measurement<double>> Observe(Func<StreamStats, double?> value)
    {
        foreach (var stats in _snapshot)
        {
            if (stats.GroupExists && value(stats) is { } v)
            {
                yield return new Measurement<double>(v,
                    new KeyValuePair<string, object?>("stream", stats.Stream),
                    new KeyValuePair<string, object?>("group", stats.Group));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveDeadLetters()
    {
        foreach (var stats in _snapshot)
        {
            yield return new Measurement<long>(stats.DeadLetterLength,
                new KeyValuePair<string, object?>("stream", stats.Stream),
                new KeyValuePair<string, object?>("dead_letter_stream", stats.DeadLetterStream));
        }
    }
}
