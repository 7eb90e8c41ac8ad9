using System.Collections;

namespace Portal.Detection.Events;

/// <summary>
/// The values of one attribute path in an event (<see cref="LogEvent.GetAttribute"/>): a view of its leaves' values, so a
/// lookup allocates nothing. Arrays give several values, in order; a missing path none.
/// </summary>
public readonly struct AttributeValues : IReadOnlyList<AttributeValue>
{
    private readonly AttributeValue[]? _values;
    private readonly int _start;

    internal AttributeValues(AttributeValue[] values, int start, int count)
    {
        _values = values;
        _start = start;
        Count = count;
    }

    /// <summary>How many values the path has.</summary>
    public int Count { get; }

    /// <summary>The value at <paramref name="index"/>, in the order the event holds them.</summary>
    public AttributeValue this[int index] =>
        (uint)index < (uint)Count ? _values![_start + index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>The first value's text, or null when the path has none.</summary>
    public string? FirstText => Count > 0 ? _values![_start].Text : null;

    /// <summary>Enumerates without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<AttributeValue> IEnumerable<AttributeValue>.GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<AttributeValue>)this).GetEnumerator();

    /// <summary>A struct enumerator over the values.</summary>
    public struct Enumerator(AttributeValues values)
    {
        private int _index = -1;

        /// <summary>The current value.</summary>
        public readonly AttributeValue Current => values[_index];

        /// <summary>Moves to the next value.</summary>
        public bool MoveNext() => ++_index < values.Count;
    }
}
