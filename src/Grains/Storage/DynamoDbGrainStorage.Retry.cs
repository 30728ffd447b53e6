using Amazon.DynamoDBv2.Model;
using DynamoWriter.Grains.DynamoDb;
using JitterBackoff = DynamoWriter.Resilience.Backoff;

namespace DynamoWriter.Grains.Storage;

/// <summary>Every DynamoDB call: transient failures retried with full-jitter backoff, the rest wrapped and logged.</summary>
public sealed partial class DynamoDbGrainStorage
{
    /// <summary>
    /// Runs <paramref name="call"/> with retries. A failed condition (and a missing table when describing it,
    /// or a table created meanwhile when creating it) is an answer, not a failure: it propagates as it is. Other failures, and transient ones once
    /// the attempts are spent, become <see cref="DynamoDbGrainStorageException"/>.
    /// </summary>
    private async Task<TResult> CallAsync<TResult>(string operation, string key, Func<CancellationToken, Task<TResult>> call, CancellationToken ct)
    {
        try
        {
            return await RetryAsync(
                call,
                _options.MaxAttempts,
                _options.RetryBaseDelay,
                _options.RetryMaxDelay,
                _time,
                (ex, attempt, delay) => DynamoDbStorageLog.TransientFailure(
                    _logger, ex, _name, operation, key, attempt, _options.MaxAttempts, (long)delay.TotalMilliseconds),
                ct);
        }
        catch (ConditionalCheckFailedException)
        {
            throw;
        }
        catch (ResourceNotFoundException) when (operation == DescribeTableOperation)
        {
            throw;
        }
        catch (ResourceNotFoundException ex)
        {
            // The table was deleted under us: the next operation checks (and maybe creates) it again.
            TableLost();
            DynamoDbStorageLog.OperationFailed(_logger, ex, _name, operation, key);
            throw new DynamoDbGrainStorageException(
                $"Grain storage {_name}: DynamoDB {operation} of '{key}': table '{_options.TableName}' does not exist.", ex);
        }
        catch (ResourceInUseException)
        {
            throw;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            DynamoDbStorageLog.OperationFailed(_logger, ex, _name, operation, key);
            throw new DynamoDbGrainStorageException(
                $"Grain storage {_name}: DynamoDB {operation} of '{key}' in table '{_options.TableName}' failed: {ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    private static async Task<TResult> RetryAsync<TResult>(
        Func<CancellationToken, Task<TResult>> call,
        int maxAttempts,
        TimeSpan baseDelay,
        TimeSpan maxDelay,
        TimeProvider time,
        Action<Exception, int, TimeSpan>? onRetry,
        CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(ct);
            }
            catch (Exception ex) when (attempt < maxAttempts && !ct.IsCancellationRequested && DynamoErrorClassifier.IsTransient(ex))
            {
                var delay = JitterBackoff.FullJitter(attempt - 1, maxDelay, baseDelay);
                onRetry?.Invoke(ex, attempt, delay);
                await Task.Delay(delay, time, ct);
            }
        }
    }
}
