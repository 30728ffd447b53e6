using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DynamoWriter.Grains.Tests.Unit;

/// <summary>
/// A fake DynamoDB endpoint on 127.0.0.1:0 that answers each request with what the script says
/// (status and JSON body), to check how the real SDK client behaves on errors (npgsql PgPostmasterMock style).
/// </summary>
internal sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, string, int, (int Status, string Body)> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requests;

    public ScriptedHttpServer(Func<string, string, int, (int Status, string Body)> script)
    {
        _script = script;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Requests => Volatile.Read(ref _requests);

    public ConcurrentQueue<string> Targets { get; } = new();

    public static string Error(string type, string message) =>
        $$"""{"__type":"com.amazonaws.dynamodb.v20120810#{{type}}","message":"{{message}}"}""";

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[64 * 1024];
            var filled = 0;
            try
            {
                while (true)
                {
                    int headerEnd;
                    while ((headerEnd = IndexOf(buffer.AsSpan(0, filled), "\r\n\r\n"u8)) < 0)
                    {
                        var n = await stream.ReadAsync(buffer.AsMemory(filled), _stop.Token);
                        if (n == 0)
                        {
                            return;
                        }

                        filled += n;
                    }

                    var headers = Encoding.ASCII.GetString(buffer, 0, headerEnd);
                    var length = headers.Split("\r\n")
                        .Where(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        .Select(h => int.Parse(h["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
                        .FirstOrDefault();
                    var total = headerEnd + 4 + length;
                    while (filled < total)
                    {
                        var n = await stream.ReadAsync(buffer.AsMemory(filled), _stop.Token);
                        if (n == 0)
                        {
                            return;
                        }

                        filled += n;
                    }

                    var target = headers.Split("\r\n").FirstOrDefault(h => h.StartsWith("X-Amz-Target:", StringComparison.OrdinalIgnoreCase))?["X-Amz-Target:".Length..].Trim() ?? "";
                    Targets.Enqueue(target);
                    var requestBody = Encoding.UTF8.GetString(buffer, headerEnd + 4, length);
                    var (status, body) = _script(target, requestBody, Interlocked.Increment(ref _requests));
                    var bytes = Encoding.UTF8.GetBytes(body);
                    var head = $"HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: {bytes.Length}\r\nx-amzn-RequestId: r{_requests}\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                    await stream.WriteAsync(bytes, _stop.Token);
                    buffer.AsSpan(total, filled - total).CopyTo(buffer);
                    filled -= total;
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
            }
        }
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
