using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace DynamoWriter.Grains.DynamoDb;

/// <summary>Sorts DynamoDB failures into "try again later" and "this will never work".</summary>
public static class DynamoErrorClassifier
{
    private const string ValidationErrorCode = "ValidationException";

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "RequestLimitExceededException",
        "InternalServerError",
        "InternalServerErrorException",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "TransactionConflictException",
        "TransactionInProgressException",
        "RequestTimeout",
        "RequestTimeoutException",
        "LimitExceededException",
    };

    /// <summary>The cancellation reasons of a transaction that throttling cancelled.</summary>
    private static readonly HashSet<string> ThrottlingReasons = new(StringComparer.Ordinal) { "ThrottlingError", "ProvisionedThroughputExceeded" };

    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "RequestLimitExceededException",
    };

    /// <summary>
    /// True for throttling, 5xx, timeouts and connection failures (worth retrying);
    /// false for validation, missing resources, failed conditions and anything unknown.
    /// A cancellation the caller asked for must be handled before asking (it reports as a timeout here).
    /// </summary>
    public static bool IsTransient(Exception e)
    {
        for (var depth = 0; e is not null && depth < 8; depth++)
        {
            switch (e)
            {
                case ConditionalCheckFailedException or ResourceNotFoundException:
                    return false;
                case TransactionCanceledException cancelled:
                    // A 400, but worth another attempt when only conflicting transactions or throttling cancelled
                    // it; a failed condition or a validation error is an answer (the caller reads the reasons).
                    return cancelled.CancellationReasons is { Count: > 0 } reasons
                        && reasons.All(r => r.Code is null or "None" or "TransactionConflict" || ThrottlingReasons.Contains(r.Code))
                        && reasons.Any(r => r.Code is "TransactionConflict" || ThrottlingReasons.Contains(r.Code));
                case ProvisionedThroughputExceededException or ThrottlingException or RequestLimitExceededException
                    or InternalServerErrorException or Amazon.DynamoDBv2.Model.LimitExceededException:
                    return true;
                case AmazonServiceException ase:
                    if (ase.ErrorCode is { } code)
                    {
                        if (string.Equals(code, ValidationErrorCode, StringComparison.Ordinal))
                        {
                            return false;
                        }

                        if (TransientCodes.Contains(code))
                        {
                            return true;
                        }
                    }

                    if ((int)ase.StatusCode >= 500 || ase.StatusCode == HttpStatusCode.TooManyRequests || ase.StatusCode == HttpStatusCode.RequestTimeout)
                    {
                        return true;
                    }

                    break;
                case TimeoutException or OperationCanceledException or HttpRequestException or SocketException or IOException:
                    return true;
                case AggregateException agg:
                    return agg.InnerExceptions.Any(IsTransient);
            }

            e = e.InnerException!;
        }

        return false;
    }

    /// <summary>
    /// False only when DynamoDB answered that it refused the request (a 4xx: throttling, validation);
    /// a timeout, a lost connection or a 5xx may come after the write was applied.
    /// </summary>
    internal static bool MayHaveApplied(Exception e) =>
        e is not AmazonServiceException { StatusCode: >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError };

    /// <summary>True when DynamoDB refused the request as invalid (item too large, bad attribute, wrong key type...).</summary>
    internal static bool IsValidation(Exception e) =>
        e is AmazonDynamoDBException { ErrorCode: ValidationErrorCode }
        || (e is AmazonServiceException { ErrorCode: ValidationErrorCode });

    /// <summary>True for the answers DynamoDB gives when a table or account is over its throughput.</summary>
    internal static bool IsThrottling(Exception e) =>
        e is ProvisionedThroughputExceededException or ThrottlingException or RequestLimitExceededException
        || (e is TransactionCanceledException { CancellationReasons: { } reasons } && reasons.Any(r => r.Code is { } c && ThrottlingReasons.Contains(c)))
        || (e is AmazonServiceException { ErrorCode: { } code } && ThrottlingCodes.Contains(code));
}
