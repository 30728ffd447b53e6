namespace DynamoWriter.Grains.Writer;

/// <summary>
/// The IDs an activation finished lately (persisted, skipped or dead-lettered, and acknowledged). Orleans
/// delivers a batch again when its call outlived the response timeout or its reply was lost; those
/// entries are already done and must not be written (and counted) a second time.
/// </summary>
internal sealed class RecentEntries(int capacity)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public int Count => _ids.Count;

    /// <summary>The entries not finished lately, in order; the input list itself when none was.</summary>
    public IReadOnlyList<StreamEntry> Unfinished(IReadOnlyList<StreamEntry> entries)
    {
        if (_ids.Count == 0 || !entries.Any(e => _ids.Contains(e.Id)))
        {
            return entries;
        }

        return [.. entries.Where(e => !_ids.Contains(e.Id))];
    }

    public void Add(IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            if (!_ids.Add(id))
            {
                continue;
            }

            _order.Enqueue(id);
            if (_order.Count > capacity)
            {
                _ids.Remove(_order.Dequeue());
            }
        }
    }
}
