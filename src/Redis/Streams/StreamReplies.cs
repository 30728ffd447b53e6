namespace DynamoWriter.Redis;

/// <summary>XPENDING's summary form.</summary>
/// <param name="Count">Entries delivered and not acknowledged.</param>
/// <param name="SmallestId">Lowest pending ID; null when nothing is pending.</param>
/// <param name="LargestId">Highest pending ID; null when nothing is pending.</param>
/// <param name="Consumers">Pending count per consumer that has any.</param>
public sealed record PendingSummary(long Count, string? SmallestId, string? LargestId, IReadOnlyList<ConsumerPendingCount> Consumers);

public readonly record struct ConsumerPendingCount(string Consumer, long Count);

/// <summary>One row of XPENDING's extended form.</summary>
/// <param name="Idle">Time since the entry was last delivered.</param>
/// <param name="DeliveryCount">Times it has been delivered.</param>
public sealed record PendingEntryInfo(string Id, string Consumer, TimeSpan Idle, long DeliveryCount);

/// <summary>XAUTOCLAIM's reply.</summary>
/// <param name="NextStart">Where the next scan starts; "0-0" once the whole pending list was scanned.</param>
/// <param name="Entries">Entries now owned by the claiming consumer.</param>
/// <param name="DeletedIds">
/// Pending IDs whose entries no longer exist; Redis 7 removed them from the pending list (the third element of
/// the reply). On Redis 6.2, which has no third element, such entries appear in <see cref="Entries"/> with no fields.
/// </param>
public sealed record AutoClaimResult(string NextStart, IReadOnlyList<StreamEntry> Entries, IReadOnlyList<string> DeletedIds);

/// <summary>The parts of XINFO STREAM this service uses.</summary>
/// <param name="FirstEntryId">Null when the stream is empty.</param>
/// <param name="LastEntryId">Null when the stream is empty.</param>
/// <param name="LastGeneratedId">The highest ID ever added, even if that entry was deleted or trimmed.</param>
/// <param name="Groups">Number of consumer groups.</param>
public sealed record StreamInfo(long Length, string? FirstEntryId, string? LastEntryId, string LastGeneratedId, long Groups);

/// <summary>One row of XINFO GROUPS.</summary>
/// <param name="EntriesRead">Null before Redis 7 or when the server cannot tell.</param>
/// <param name="Lag">Entries not yet delivered to the group; null before Redis 7 or when the server cannot tell.</param>
public sealed record GroupInfo(string Name, long Consumers, long Pending, string LastDeliveredId, long? EntriesRead, long? Lag);

/// <summary>One row of XINFO CONSUMERS.</summary>
/// <param name="Idle">Time since the consumer's last attempted interaction (read or claim).</param>
public sealed record ConsumerInfo(string Name, long Pending, TimeSpan Idle);
