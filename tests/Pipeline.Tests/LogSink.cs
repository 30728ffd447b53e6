using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DynamoWriter.Pipeline.Tests;

/// <summary>Keeps every log line of one engine.</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Event, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, EventId Event, string Message)> Lines => [.. _lines];

    public bool Contains(int eventId, string text) =>
        _lines.Any(l => l.Event.Id == eventId && l.Message.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink._lines.Enqueue((logLevel, eventId, formatter(state, exception)));
    }
}
