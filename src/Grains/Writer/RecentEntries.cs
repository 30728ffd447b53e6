namespace DynamoWriter.Grains.Writer;

/// <summary>
/// The IDs an activation finished lately (persisted, skipped or dead-lettered, and acknowledged). Orleans
/// delivers a batch again when its call outlived the response timeout or its reply was lost; those
/// entries are already done and must not be written (and counted) a second time.
/// </summary>
/// <remarks>
/// Kept as parsed IDs, one sorted array per finished read, rather than a set of strings: a set of ID
/// strings cost 6% of the engine's CPU on the Redis side (every add, lookup and eviction hashed or
/// compared a string elsewhere on the heap), where a read newer than everything kept, the usual case, is
/// now told apart by one comparison per entry.
/// </remarks>
internal sealed class RecentEntries(int capacity)
{
    private readonly Queue<StreamEntryId[]> _reads = new();
    private int _count;

    /// <summary>At least the newest ID kept: anything above it was not finished lately.</summary>
    private StreamEntryId _newest;

    /// <summary>How many IDs are kept: at least the capacity once that many were finished, whole reads at a time.</summary>
    public int Count => _count;

    /// <summary>The entries not finished lately, in order; the input list itself when none was.</summary>
    public IReadOnlyList<StreamEntry> Unfinished(IReadOnlyList<StreamEntry> entries)
    {
        if (_count == 0)
        {
            return entries;
        }

        List<StreamEntry>? unfinished = null;
        for (var i = 0; i < entries.Count; i++)
        {
            if (!IsFinished(entries[i].Id))
            {
                unfinished?.Add(entries[i]);
            }
            else if (unfinished is null)
            {
                unfinished = new List<StreamEntry>(entries.Count);
                for (var j = 0; j < i; j++)
                {
                    unfinished.Add(entries[j]);
                }
            }
        }

        return unfinished ?? entries;
    }

    public void Add(IEnumerable<string> ids)
    {
        var parsed = new List<StreamEntryId>(ids is ICollection<string> c ? c.Count : 0);
        var sorted = true;
        foreach (var id in ids)
        {
            // Every ID here came from Redis; one that does not parse could not be found again either.
            if (StreamEntryId.TryParse(id, out var p))
            {
                sorted &= parsed.Count == 0 || parsed[^1] <= p;
                parsed.Add(p);
            }
        }

        if (parsed.Count == 0)
        {
            return;
        }

        var read = parsed.ToArray();
        if (!sorted)
        {
            Array.Sort(read);
        }

        _reads.Enqueue(read);
        _count += read.Length;
        if (read[^1] > _newest)
        {
            _newest = read[^1];
        }

        while (_count - _reads.Peek().Length >= capacity)
        {
            _count -= _reads.Dequeue().Length;
        }
    }

    private bool IsFinished(string id)
    {
        if (!StreamEntryId.TryParse(id, out var parsed) || parsed > _newest)
        {
            return false;
        }

        foreach (var read in _reads)
        {
            if (parsed >= read[0] && parsed <= read[^1] && Array.BinarySearch(read, parsed) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
