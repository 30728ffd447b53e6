using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using DynamoWriter.Bench;
using DynamoWriter.Options;
using Spectre.Console;

var redis = new Option<string?>("--redis") { Description = "Redis host:port to use (default: start a local redis-server)." };
var dynamo = new Option<string?>("--dynamo") { Description = "DynamoDB endpoint URL to use (default: start DynamoDB Local, or dynalite with DW_TEST_DYNAMO_SERVER=dynalite)." };
var entries = new Option<int?>("--entries") { Description = $"Backlog size of the end-to-end and Redis-side scenarios (default {BenchSettings.DefaultEntries:N0}; --quick 20,000)." };
var streams = new Option<int>("--streams") { Description = "Streams the backlog is spread over (one writer grain each).", DefaultValueFactory = _ => BenchSettings.DefaultStreams };
var payload = new Option<int>("--payload-bytes") { Description = "Size of the payload attribute of every item.", DefaultValueFactory = _ => BenchSettings.DefaultPayloadBytes };
var rate = new Option<int>("--rate") { Description = "Offered rate of the latency scenario, entries/s.", DefaultValueFactory = _ => BenchSettings.DefaultRate };
var seconds = new Option<int?>("--seconds") { Description = $"Duration of the latency scenario (default {BenchSettings.DefaultSeconds}; --quick 5)." };
var memoryEntries = new Option<int?>("--memory-entries") { Description = $"Backlog drained by the service process in the memory scenario (default {BenchSettings.DefaultMemoryEntries:N0}; --quick 100,000)." };
var quick = new Option<bool>("--quick") { Description = "Small sizes: 20,000 entries, 5 s latency, 100,000 memory entries." };
var only = new Option<string[]>("--only") { Description = "Run only these scenarios: batch, overwrite, conditional, skip-existing, newer-wins, transactional, exactly-once, throttled, redis, latency, memory, silos.", AllowMultipleArgumentsPerToken = true };
var results = new Option<string?>("--results") { Description = "Folder for the JSON results (default: bench/results of the repository)." };
var service = new Option<string?>("--service") { Description = "The dynamo-writer executable for the memory scenario (default: src/Silo/bin/Release/net10.0/dynamo-writer)." };

var root = new RootCommand("DynamoWriter benchmark: the engine against the backend's own ceiling, in one run.")
{
    redis, dynamo, entries, streams, payload, rate, seconds, memoryEntries, quick, only, results, service,
};
root.SetAction(async (parse, ct) =>
{
    var isQuick = parse.GetValue(quick);
    var repo = RepoRoot();
    var settings = new BenchSettings
    {
        Redis = parse.GetValue(redis),
        Dynamo = parse.GetValue(dynamo),
        Quick = isQuick,
        Entries = parse.GetValue(entries) ?? (isQuick ? 20_000 : BenchSettings.DefaultEntries),
        Streams = Math.Max(1, parse.GetValue(streams)),
        PayloadBytes = Math.Max(0, parse.GetValue(payload)),
        Rate = Math.Max(1, parse.GetValue(rate)),
        Seconds = parse.GetValue(seconds) ?? (isQuick ? 5 : BenchSettings.DefaultSeconds),
        MemoryEntries = parse.GetValue(memoryEntries) ?? (isQuick ? 100_000 : BenchSettings.DefaultMemoryEntries),
        Only = new HashSet<string>(parse.GetValue(only) ?? [], StringComparer.OrdinalIgnoreCase),
        ResultsDirectory = parse.GetValue(results) ?? Path.Combine(repo, "bench", "results"),
        ServicePath = parse.GetValue(service) ?? Path.Combine(repo, "src", "Silo", "bin", "Release", "net10.0", "dynamo-writer"),
    };
    return await Bench.RunAsync(settings, repo);
});
return await root.Parse(args).InvokeAsync();

static string RepoRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.StreamWriter.sln")))
            {
                return dir.FullName;
            }
        }
    }

    return Directory.GetCurrentDirectory();
}

namespace DynamoWriter.Bench
{
    internal static class Bench
    {
        public static async Task<int> RunAsync(BenchSettings settings, string repo)
        {
            var startedAt = DateTime.UtcNow;
            if (Console.IsOutputRedirected)
            {
                AnsiConsole.Profile.Width = 140;
            }

            await using var servers = settings.Redis is null || settings.Dynamo is null
                ? await LocalServers.StartAsync(repo, settings.Redis is null, settings.Dynamo is null)
                : null;
            var redis = settings.Redis ?? servers!.RedisAddress;
            var dynamo = settings.Dynamo ?? servers!.DynamoEndpoint;
            // Which server a given --dynamo URL is cannot be asked; bench/run.sh passes the kind it started.
            var dynamoKind = Environment.GetEnvironmentVariable("DW_TEST_DYNAMO_SERVER") is { Length: > 0 } kind ? kind : "dynamodb-local";
            AnsiConsole.MarkupLine($"redis [bold]{redis}[/]{(settings.Redis is null ? " (started here)" : "")}, dynamodb [bold]{Markup.Escape(dynamo)}[/] ({dynamoKind}{(settings.Dynamo is null ? ", started here" : "")})");
            AnsiConsole.MarkupLine($"{settings.Entries:N0} entries over {settings.Streams} streams, {settings.PayloadBytes}-byte payload; latency {settings.Rate:N0}/s for {settings.Seconds} s; memory backlog {settings.MemoryEntries:N0}");

            var report = new Report();
            report.Machine["cores"] = Environment.ProcessorCount;
            report.Machine["os"] = RuntimeInformation.OSDescription;
            report.Machine["runtime"] = RuntimeInformation.FrameworkDescription;
            report.Machine["memTotalMb"] = MemTotalMb();
            report.Machine["loadAverageAtStart"] = LoadAverage();
            report.Machine["servers"] = settings.Redis is null || settings.Dynamo is null ? "started by the bench on loopback (redis-server, DynamoDB server in memory)" : "given";
            report.Machine["dynamoServer"] = dynamoKind;
            // Unset by default; runs with a larger gen 0 budget are not comparable (README: "A 12 MB gen 0 budget").
            report.Machine["gcGen0size"] = Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "runtime default";
            report.Machine["tieredPgo"] = RuntimeSetting("DOTNET_TieredPGO", "System.Runtime.TieredPGO");
            report.Machine["threadPoolSpinLimit"] = RuntimeSetting("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit");
            report.Settings["entries"] = settings.Entries;
            report.Settings["streams"] = settings.Streams;
            report.Settings["payloadBytes"] = settings.PayloadBytes;
            report.Settings["rate"] = settings.Rate;
            report.Settings["seconds"] = settings.Seconds;
            report.Settings["memoryEntries"] = settings.MemoryEntries;
            report.Settings["quick"] = settings.Quick;
            report.Settings["engine"] = "Orleans silo (localhost clustering) in this process; defaults: readCount 500, pollInterval 50ms, queues 8, batchSize 25, maxInFlight 64; mapping fields";

            await using var w = new Workload(settings, redis, dynamo);
            if (dynamoKind == "dynalite" && servers is { StartedDynamo: true })
            {
                // dynalite slows as it ages within one process: one run measured its 64-in-flight ceiling at
                // 13.3, 12.3 and 11.1k items/s before, between and after two 200,000-entry drains. A figure and
                // its ceiling taken minutes apart would then compare two different servers.
                w.RestartBackend = servers.RestartDynamoAsync;
                report.Notes.Add("dynalite is restarted, empty, before every ceiling run and every drain (it slows as it ages)");
            }

            var s = new Scenarios(w, report);
            var poll = new StreamOptions().PollInterval;
            var n = settings.Entries;
            var failures = 0;

            async Task Step(string key, string title, Func<Task> body)
            {
                if (!settings.Runs(key))
                {
                    return;
                }

                AnsiConsole.MarkupLine($"[blue]{Markup.Escape(title)}[/]");
                var loadBefore = LoadAverage();
                try
                {
                    await body();
                    report.Notes.Add($"{title}: load average {loadBefore} before, {LoadAverage()} after");
                }
                catch (Exception e)
                {
                    failures++;
                    AnsiConsole.MarkupLine($"[red]{Markup.Escape(title)} failed: {Markup.Escape(e.Message)}[/]");
                    report.Notes.Add($"{title} failed: {e.GetType().Name}: {e.Message}");
                }
            }

            // The rows compare a drain with a ceiling taken minutes before it; the same ceiling measured again right
            // after the drain shows how far the backend itself moved in between on these shared cores.
            async Task CeilingAgainAsync(string id, Scenarios.Ceiling? ceiling, double drained)
            {
                if (ceiling is null)
                {
                    return;
                }

                var again = await ceiling.AgainAsync();
                report.Notes.Add($"{id}: its ceiling again right after the drain, at {ceiling.Concurrency} in flight: {again:F0}/s against {ceiling.Rate:F0}/s before; "
                    + $"the drain is {drained / again:F2} of the second, {drained / ((ceiling.Rate + again) / 2):F2} of the two's mean");
            }

            var warmUp = Math.Min(n, 40_000);
            report.Notes.Add($"warm-up before the first scenario: {warmUp:N0} items in parallel BatchWriteItem at {await s.WarmUpAsync(warmUp):F0}/s (not a figure: the server's JIT warming)");
            if (settings.RunsAnyEngine)
            {
                report.Notes.Add($"engine warm-up before the first scenario (not figures: the JIT compiling the engine): {await s.WarmUpEngineAsync(dynamoKind != "dynalite")}");
            }

            Scenarios.Ceiling? batchCeiling = null, condCeiling = null;
            double? plain = null;
            // Latency first, on a backend in its everyday state: after scenarios 1-4 have filled and deleted five
            // tables of N items, dynalite stalls once for half a second or more (seen in three full runs), and a
            // latency run then measures that stall rather than the engine.
            await Step("latency", "6. latency at a steady rate", async () =>
            {
                // An entry waits at most one poll of an idle queue, then one write and XACK.
                var limit = poll.TotalMilliseconds + 75;
                var r = await s.LatencyAsync(settings.Rate, settings.Seconds, limit);
                var note = $"offered {r.Offered:N0}/s for {settings.Seconds} s, {r.Count:N0} samples; {r.Slow}";
                report.Add(new Row("6a", "latency p50 (ack - XADD)", r.P50, "ms", Note: note));
                report.Add(new Row("6b", "latency p99 (ack - XADD)", r.P99, "ms", "pollInterval + 75 ms", limit, "≤ 1.00", r.P99 <= limit, note));
                report.Add(new Row("6c", "latency max (ack - XADD)", r.Max, "ms", Note: note));
                report.Notes.Add($"6: {note}");
            });
            await Step("batch", "1. backend ceiling, batch (BatchWriteItem)", async () =>
            {
                batchCeiling = await s.BatchCeilingAsync(n);
                report.Add(new Row("1", "backend ceiling, batch (parallel BatchWriteItem)", batchCeiling.Rate, "items/s"));
            });
            await Step("overwrite", "2. end to end, overwrite", async () =>
            {
                var d = await s.EndToEndAsync(WritePolicy.Overwrite, n);
                report.Add(Throughput("2", "end to end, overwrite (backlog drained)", d.Rate, "ceiling 1", batchCeiling?.Rate, 0.9) with { Note = d.Describe() });
                report.Notes.Add($"2: {d.Describe()}");
                await CeilingAgainAsync("2", batchCeiling, d.Rate);
            });
            await Step("conditional", "3. backend ceiling, skip-existing's conditional PutItem", async () =>
            {
                condCeiling = await s.ConditionalCeilingAsync(n);
                report.Add(new Row("3", "backend ceiling, conditional (parallel PutItem)", condCeiling.Rate, "items/s"));
            });
            await Step("skip-existing", "4a. end to end, skip-existing", async () =>
            {
                var d = await s.EndToEndAsync(WritePolicy.SkipExisting, n);
                report.Add(Throughput("4a", "end to end, skip-existing", d.Rate, "ceiling 3", condCeiling?.Rate, 0.9) with { Note = d.Describe() });
                report.Notes.Add($"4a: {d.Describe()}");
                await CeilingAgainAsync("4a", condCeiling, d.Rate);
            });
            Scenarios.Ceiling? newerCeiling = null;
            await Step("newer-wins", "3b. backend ceiling, newer-wins' conditional PutItem", async () =>
            {
                newerCeiling = await s.NewerWinsCeilingAsync(n);
                report.Add(new Row("3b", "backend ceiling, newer-wins (parallel conditional PutItem)", newerCeiling.Rate, "items/s"));
            });
            await Step("newer-wins", "4b. end to end, newer-wins", async () =>
            {
                var d = await s.EndToEndAsync(WritePolicy.NewerWins, n);
                report.Add(Throughput("4b", "end to end, newer-wins", d.Rate, "ceiling 3b", newerCeiling?.Rate, 0.9) with { Note = d.Describe() });
                report.Notes.Add($"4b: {d.Describe()}");
                await CeilingAgainAsync("4b", newerCeiling, d.Rate);
            });
            Scenarios.Ceiling? txCeiling = null;
            if (dynamoKind == "dynalite")
            {
                // dynalite has no TransactWriteItems: exactly-once is measured on DynamoDB Local only.
                report.Notes.Add("8 and 9 (transactional ceiling, exactly-once): not run, dynalite has no transactions");
            }
            else
            {
                await Step("transactional", "8. backend ceiling, transactional (TransactWriteItems of 99 + checkpoint)", async () =>
                {
                    txCeiling = await s.TransactionalCeilingAsync(n);
                    report.Add(new Row("8", "backend ceiling, transactional (parallel TransactWriteItems)", txCeiling.Rate, "items/s"));
                });
                await Step("exactly-once", "9. end to end, exactly-once (overwrite)", async () =>
                {
                    var d = await s.EndToEndAsync(WritePolicy.Overwrite, n, exactlyOnce: true);
                    report.Add(Throughput("9", "end to end, exactly-once, overwrite", d.Rate, "ceiling 8", txCeiling?.Rate, 0.9) with { Note = d.Describe() });
                    report.Notes.Add($"9: {d.Describe()}");
                    await CeilingAgainAsync("9", txCeiling, d.Rate);
                });
            }

            const int Allowed = 2_000;
            await Step("throttled", $"10. end to end, overwrite, throttled at {Allowed:N0} items/s", async () =>
            {
                var r = await s.ThrottledAsync(n, Allowed);
                report.Add(new Row("10", $"throttled drain (proxy allows {Allowed:N0} items/s)", r.Rate, "entries/s", "allowed rate", Allowed, "≥ 0.80",
                    r.Rate / Allowed >= 0.8 && r.DeadLettered == 0, r.Describe()));
                report.Notes.Add($"10: {r.Describe()}");
            });
            // The Redis side is cheap to fill and quick to drain: a bigger backlog keeps the first reads from
            // dominating the figure. One drain lasts about a second, so on shared cores a single drain is mostly
            // noise: a warm-up round (JIT), then alternating rounds, and the median of each side.
            var redisEntries = Math.Max(n, 200_000);
            var rounds = settings.Quick ? 1 : 3;
            await Step("redis", $"5. Redis side alone ({redisEntries:N0} entries, median of {rounds})", async () =>
            {
                await using var sink = await s.StartSinkEngineAsync();
                await s.PlainLoopAsync(redisEntries);
                await s.DiscardingEngineAsync(sink, redisEntries);
                var loops = new List<RedisSideRun>();
                var engines = new List<RedisSideRun>();
                for (var round = 1; round <= rounds; round++)
                {
                    loops.Add(await s.PlainLoopAsync(redisEntries));
                    engines.Add(await s.DiscardingEngineAsync(sink, redisEntries));
                    report.Notes.Add($"5, round {round}: plain loop {loops[^1].Describe()}");
                    report.Notes.Add($"5, round {round}: engine with a discarding sink {engines[^1].Describe()}");
                }

                plain = Median(loops);
                report.Add(new Row("5a", "plain XREADGROUP + XACK loop (readCount 500)", plain.Value, "entries/s", Note: $"median of {rounds}"));
                report.Add(Throughput("5b", "engine with a discarding sink (one host for all rounds)", Median(engines), "loop 5a", plain, 0.8));
            });
            await Step("memory", $"7. the dynamo-writer service draining {settings.MemoryEntries:N0} entries", async () =>
            {
                if (!File.Exists(settings.ServicePath))
                {
                    throw new FileNotFoundException($"build the service first (dotnet build src/Silo -c Release): {settings.ServicePath}");
                }

                var r = await s.MemoryAsync(settings.ServicePath!, settings.MemoryEntries);
                var note = $"{settings.MemoryEntries:N0} entries in {r.Seconds:F1} s ({r.DrainRate:N0}/s), {r.CpuSeconds:F1} CPU s in total; {r.Timeline}";
                report.Add(new Row("7a", $"peak resident memory (VmHWM), {settings.MemoryEntries:N0} backlog", r.PeakMb, "MB", "200 MB", 200, "≤ 1.00", r.PeakMb <= 200, note));
                report.Add(new Row("7b", "CPU seconds per 100,000 entries (utime + stime)", r.CpuSecondsPer100K, "s", Note: note));
                report.Add(new Row("7c", "service drain rate (process start to drained)", r.DrainRate, "entries/s", "ceiling 1", batchCeiling?.Rate, Note: "includes start-up"));
            });

            await Step("silos", "11. one, two and three silos (real processes, one cluster) draining the backlog", async () =>
            {
                if (!File.Exists(settings.ServicePath))
                {
                    throw new FileNotFoundException($"build the service first (dotnet build src/Silo -c Release): {settings.ServicePath}");
                }

                for (var silos = 1; silos <= 3; silos++)
                {
                    var r = await s.SilosAsync(settings.ServicePath!, silos, n);
                    var note = $"queues spread {r.FormedSeconds:F1} s after the first start, {r.WarmUpEntries:N0} warm-up entries drained at {r.WarmUpRate:N0}/s (XADD included), "
                        + $"backlog drained {r.StartToDrainedSeconds:F1} s after the first start; {r.CpuMicrosPerEntry:F1} µs CPU per entry in the silos together; {r.Spread}";
                    report.Add(Throughput($"11{(char)('a' + silos - 1)}", $"{silos} silo{(silos > 1 ? "s" : "")}, overwrite (cluster formed, first read to drained)", r.Rate, "ceiling 1", batchCeiling?.Rate, 0.9) with { Note = note });
                }
            });

            report.Machine["loadAverageAtEnd"] = LoadAverage();
            report.Notes.Add($"{Environment.ProcessorCount} cores; load average {report.Machine["loadAverageAtStart"]} at start, {report.Machine["loadAverageAtEnd"]} at end (other processes share the machine); DOTNET_GCgen0size {report.Machine["gcGen0size"]}, dynamic PGO {report.Machine["tieredPgo"]}, thread pool spin limit {report.Machine["threadPoolSpinLimit"]}.");
            report.Notes.Add($"The backlog is spread over {settings.Streams} streams (one Orleans stream and writer grain each), as a deployment with several streams would be; servers, engine and bench share the same cores.");
            report.Print();
            var file = await report.WriteAsync(settings.ResultsDirectory, startedAt);
            AnsiConsole.MarkupLine($"results: [bold]{Markup.Escape(file)}[/] (and latest.json)");
            return failures == 0 ? 0 : 1;
        }

        private static double Median(List<RedisSideRun> runs)
        {
            var rates = runs.Select(r => r.Rate).Order().ToArray();
            return rates.Length % 2 == 1 ? rates[rates.Length / 2] : (rates[(rates.Length / 2) - 1] + rates[rates.Length / 2]) / 2;
        }

        private static Row Throughput(string id, string what, double value, string against, double? ceiling, double goal) =>
            new(id, what, value, "entries/s", against, ceiling, ceiling is null ? null : $"≥ {goal:F2}",
                ceiling is { } c && c > 0 ? value / c >= goal : null);

        /// <summary>A runtime knob as this process (and the service, which shares ServiceRuntime.props) runs with: the environment wins over runtimeconfig.json.</summary>
        private static string RuntimeSetting(string variable, string property) =>
            Environment.GetEnvironmentVariable(variable) is { } set ? $"{set} ({variable})" : AppContext.GetData(property)?.ToString() ?? "runtime default";

        private static string LoadAverage()
        {
            try
            {
                return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
            }
            catch (IOException)
            {
                return "";
            }
        }

        private static long MemTotalMb()
        {
            try
            {
                var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
            catch (IOException)
            {
                return 0;
            }
        }
    }
}
