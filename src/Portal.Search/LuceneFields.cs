namespace Portal.Search.Lucene;

/// <summary>Field names of the embedded index. Attributes are prefixed so they never clash with reserved fields.</summary>
internal static class LuceneFields
{
    /// <summary>
    /// The event's id as a term, in indexes whose documents may be replaced (signals). Log partitions never replace an
    /// event and index no id term: a unique term per event was about 7 % of the writer's time and 22 bytes an event.
    /// </summary>
    public const string Id = "_id";

    /// <summary>
    /// The timestamp, as doc values only: every time range is decided from them and each segment's blocks
    /// (<see cref="Lucene.TimeRangeFilter"/>). Segments written before that also hold it as trie terms, unread now.
    /// </summary>
    public const string Timestamp = "_ts";
    public const string Source = "_source";
    public const string Text = "_text";
    public const string Tags = "tags";

    /// <summary>Doc values ordering the events of one millisecond (<see cref="Lucene.TieBreak"/>).</summary>
    public const string TieBreak = "_tb";

    /// <summary>Exact (keyword) values of an attribute.</summary>
    public static string Attribute(string path) => "@" + path;

    /// <summary>Numeric values of an attribute, for ranges and comparisons.</summary>
    public static string Numeric(string path) => "n@" + path;

    /// <summary>IP values of an attribute as <see cref="Portal.Detection.Events.IpText.SortKey"/> terms, for CIDR ranges.</summary>
    public static string Ip(string path) => "ip@" + path;

    /// <summary>
    /// Exact values of the attributes whose path came beyond an index's limit (<see cref="AttributeFields"/>), all in this
    /// one field as <see cref="Overflowing"/> terms: still found by exact, prefix, wildcard and existence queries (not by
    /// ranges or networks, nor counted in facets). Attribute fields all start with <c>@</c>, so no path can take this name.
    /// </summary>
    public const string OverflowAttributes = "_attrs";

    /// <summary>The <see cref="OverflowAttributes"/> term of a value at <paramref name="path"/>: the path, U+0000, the value.</summary>
    public static string Overflowing(string path, string value) => path + "\0" + value;

    /// <summary>Doc values of a reserved field, for facet counts.</summary>
    public static string Facet(string name) => "f_" + name;

    /// <summary>
    /// Trie precision of attribute numbers: two terms per value, the full value and its top 16 bits (sign, exponent and
    /// four bits of mantissa: one sixteenth of an octave). A range reads the coarse terms inside it and the full values at
    /// its two edges. For the integers logs hold (ports, status codes, sizes up to 2^20) the step of 16 wrote terms at shifts
    /// 16 and 32 that were as many as the values, so they saved ranges nothing; without them the writer is a tenth faster
    /// and an event 19 bytes smaller. Documents written
    /// with the earlier steps (16, and Lucene's default 4) still match: both divide 48, so they hold both terms too.
    /// </summary>
    public const int NumericPrecisionStep = 48;
}
