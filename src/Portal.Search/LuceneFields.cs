namespace Portal.Search.Lucene;

/// <summary>Field names of the embedded index. Attributes are prefixed so they never clash with reserved fields.</summary>
internal static class LuceneFields
{
    public const string Id = "_id";
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
    /// Trie precision of attribute numbers: 4 terms per value instead of Lucene's default 16, for faster indexing;
    /// ranges stay exact (and documents written with the default step still match, as 16 is a multiple of 4).
    /// </summary>
    public const int NumericPrecisionStep = 16;

    /// <summary>Trie precision of timestamps, searched on every query: 8 terms per value.</summary>
    public const int TimestampPrecisionStep = 8;
}
