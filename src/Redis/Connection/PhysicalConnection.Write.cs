using DynamoWriter.Redis.Protocol;

namespace DynamoWriter.Redis.Connection;

internal sealed partial class PhysicalConnection
{
    // Callers encode into _output under _sync; the single flusher swaps it with _flushing and writes that,
    // so whatever accumulated during one socket write leaves in the next one.
    private RespWriter _output;
    private RespWriter _flushing;
    private bool _flushScheduled;

    /// <summary>Queues one command; null when the connection has already failed (nothing was sent).</summary>
    public Task<RespValue>? Send(IReadOnlyList<string> command) => Send(command, RespValueParser.Instance);

    /// <summary>
    /// Queues one command whose reply the read loop builds with <paramref name="parser"/>; null when the
    /// connection has already failed (nothing was sent).
    /// </summary>
    public Task<T>? Send<T>(IReadOnlyList<string> command, IReplyParser<T> parser)
    {
        Validate(command);
        var reply = new PendingReply<T>(parser);
        bool schedule;
        lock (_sync)
        {
            if (_failure is not null)
            {
                return null;
            }

            _output.WriteCommand(command);
            _pending.Enqueue(reply);
            schedule = !_flushScheduled;
            _flushScheduled = true;
        }

        if (schedule)
        {
            ScheduleFlush();
        }

        return reply.Task;
    }

    /// <summary>
    /// Queues several commands back to back: no other caller's command can come between them (MULTI/EXEC
    /// relies on this). Null when the connection has already failed (nothing was sent).
    /// </summary>
    public Task<RespValue>[]? Send(IReadOnlyList<IReadOnlyList<string>> commands)
    {
        // Validate everything first: a command rejected halfway through encoding would corrupt the stream.
        foreach (var command in commands)
        {
            Validate(command);
        }

        var replies = new PendingReply<RespValue>[commands.Count];
        var tasks = new Task<RespValue>[commands.Count];
        for (var i = 0; i < replies.Length; i++)
        {
            replies[i] = new PendingReply<RespValue>(RespValueParser.Instance);
            tasks[i] = replies[i].Task;
        }

        bool schedule;
        lock (_sync)
        {
            if (_failure is not null)
            {
                return null;
            }

            for (var i = 0; i < replies.Length; i++)
            {
                _output.WriteCommand(commands[i]);
                _pending.Enqueue(replies[i]);
            }

            schedule = !_flushScheduled && replies.Length > 0;
            _flushScheduled |= schedule;
        }

        if (schedule)
        {
            ScheduleFlush();
        }

        return tasks;
    }

    private static void Validate(IReadOnlyList<string> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count == 0)
        {
            throw new ArgumentException("A command needs at least its name.", nameof(command));
        }

        for (var i = 0; i < command.Count; i++)
        {
            if (command[i] is null)
            {
                throw new ArgumentException($"Argument {i} of {command[0]} is null.", nameof(command));
            }
        }
    }

    // The flush runs on the thread pool rather than inline so that a burst of callers coalesces into one write.
    private void ScheduleFlush() =>
        ThreadPool.UnsafeQueueUserWorkItem(static connection => _ = connection.FlushAsync(), this, preferLocal: false);

    private async Task FlushAsync()
    {
        try
        {
            while (true)
            {
                lock (_sync)
                {
                    if (_failure is not null)
                    {
                        return;
                    }

                    if (_output.Length == 0)
                    {
                        _flushScheduled = false;
                        return;
                    }

                    (_output, _flushing) = (_flushing, _output);
                }

                await _stream.WriteAsync(_flushing.WrittenMemory).ConfigureAwait(false);
                _flushing.Reset();
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }
}
