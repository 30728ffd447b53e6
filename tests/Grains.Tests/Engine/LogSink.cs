using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DynamoWriter.Grains.Tests.Engine;

/// <summary>Keeps every log line of one silo, so tests can assert on what it said.</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, EventId Event, string Category, string Message, Exception? Exception)> _lines = new();

    public IReadOnlyList<(LogLevel Level, EventId Event, string Category, string Message, Exception? Exception)> Lines => [.. _lines];

    public bool Contains(int eventId, string text) =>
        _lines.Any(l => l.Event.Id == eventId && l.Message.Contains(text, StringComparison.Ordinal));

    public int Count(int eventId, string text) =>
        _lines.Count(l => l.Event.Id == eventId && l.Message.Contains(text, StringComparison.Ordinal));

    public string Dump() => string.Join(Environment.NewLine, _lines.Select(l => $"{l.Level} {l.Event.Id} {l.Category}: {l.Message}{(l.Exception is null ? "" : Environment.NewLine + l.Exception)}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink._lines.Enqueue((logLevel, eventId, category, formatter(state, exception), exception));
    }
}
