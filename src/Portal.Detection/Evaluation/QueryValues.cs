using System.Diagnostics.CodeAnalysis;

namespace Portal.Detection.Evaluation;

/// <summary>
/// One value per rule query, by query name: what a threshold runner aggregates and counts for a group. The names are the
/// rule's, shared; the values an array in query order, so a candidate costs an array rather than a dictionary, and a
/// lookup by name scans the rule's few queries.
/// </summary>
internal sealed class QueryValues<T>(IReadOnlyList<string> names, T[] values) : IReadOnlyDictionary<string, T>
{
    // The names are shared by every candidate of a rule: callers must pass a read-only list (Array.AsReadOnly).

    /// <summary>The values in query order; a runner fills them before judging its cases.</summary>
    /// <remarks>Exposed as an array so a runner can fill it; a candidate's copy is never written again.</remarks>
    public T[] Values { get; } = values;

    /// <summary>The rule's query names, in query order.</summary>
    public IReadOnlyList<string> Names => names;

    /// <summary>The number of queries.</summary>
    public int Count => names.Count;

    /// <summary>The value of the query named <paramref name="key"/>.</summary>
    public T this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    /// <summary>The query names, in query order.</summary>
    public IEnumerable<string> Keys => names;

    IEnumerable<T> IReadOnlyDictionary<string, T>.Values => Values;

    /// <summary>True when the rule has a query named <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <summary>The value of the query named <paramref name="key"/>, found by scanning the rule's few names.</summary>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out T value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? Values[index] : default;
        return index >= 0;
    }

    /// <summary>A copy whose values no longer follow this one's.</summary>
    public QueryValues<T> Snapshot() => new(names, (T[])Values.Clone());

    /// <summary>The queries' names and values, in query order.</summary>
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator()
    {
        for (var i = 0; i < names.Count; i++)
        {
            yield return new(names[i], Values[i]);
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }
}
