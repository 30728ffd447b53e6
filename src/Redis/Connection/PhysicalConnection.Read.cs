using DynamoWriter.Redis.Protocol;

namespace DynamoWriter.Redis.Connection;

internal sealed partial class PhysicalConnection
{
    private readonly RespReader _reader;

    // Diagnostics only, for the message of a command that timed out: was the server silent, or did bytes
    // arrive that never made a whole reply?
    private long _bytesReceived;
    private long _lastReceiveTimestamp;
    private int _bufferedBytes;

    private void StartReading() => _ = Task.Run(ReadLoopAsync);

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(_reader.GetWriteMemory()).ConfigureAwait(false);
                if (read == 0)
                {
                    Fail(new RedisConnectionException($"{_endpoint} closed the connection."));
                    return;
                }

                _reader.Advance(read);
                Volatile.Write(ref _bytesReceived, _bytesReceived + read);
                Volatile.Write(ref _lastReceiveTimestamp, TimeProvider.System.GetTimestamp());
                while (_reader.TryScan())
                {
                    if (!_pending.TryDequeue(out var pending))
                    {
                        throw new RedisProtocolException($"Received {_reader.Read(RespValueParser.Instance)} while no command was waiting for a reply.");
                    }

                    // A caller that cancelled its wait is still dequeued here: the FIFO stays in step.
                    pending.Complete(_reader);
                }

                Volatile.Write(ref _bufferedBytes, _reader.Buffered);
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
        finally
        {
            _reader.Dispose();
        }
    }
}
