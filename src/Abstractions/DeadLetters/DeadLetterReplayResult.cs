namespace DynamoWriter.DeadLetters;

/// <summary>What one dead-letter replay did.</summary>
/// <param name="Moved">Entries added back to their source stream and removed from the dead-letter stream.</param>
/// <param name="Kept">Entries left in the dead-letter stream because they have no original field to replay.</param>
[GenerateSerializer, Immutable, Alias("DynamoWriter.DeadLetterReplayResult")]
public sealed record DeadLetterReplayResult([property: Id(0)] long Moved, [property: Id(1)] long Kept);
