using global::Lucene.Net.Documents;
using global::Lucene.Net.Index;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>Maps a <see cref="LogEvent"/> to the Lucene document every query translation relies on.</summary>
internal static class EventDocument
{
    /// <summary>
    /// Longest indexed value, in UTF-16 chars: each is at most 3 UTF-8 bytes, so a value this long always fits
    /// Lucene's term limit (<see cref="IndexWriter.MAX_TERM_LENGTH"/> bytes), which otherwise rejects the whole document.
    /// </summary>
    private static readonly int MaxTermChars = IndexWriter.MAX_TERM_LENGTH / 3;

    private static readonly FieldType TimestampType = Frozen(new FieldType(Int64Field.TYPE_NOT_STORED) { NumericPrecisionStep = LuceneFields.TimestampPrecisionStep });
    private static readonly FieldType NumberType = Frozen(new FieldType(DoubleField.TYPE_NOT_STORED) { NumericPrecisionStep = LuceneFields.NumericPrecisionStep });

    /// <summary>Builds the document; <paramref name="sourceJson"/> is what searches return.</summary>
    public static Document Build(LogEvent e, string sourceJson)
    {
        var doc = new Document
        {
            new StringField(LuceneFields.Id, e.Id, Field.Store.YES),
            new SortedDocValuesField(LuceneFields.Id, new global::Lucene.Net.Util.BytesRef(e.Id)),
            new Int64Field(LuceneFields.Timestamp, e.Timestamp.ToUnixTimeMilliseconds(), TimestampType),
            new NumericDocValuesField(LuceneFields.Timestamp, e.Timestamp.ToUnixTimeMilliseconds()),
            new StoredField(LuceneFields.Source, sourceJson),
            new TextField(LuceneFields.Text, new WordTokenStream(TextTokens.Tokenize(e.Message).Select(Fit).ToList())),
        };
        foreach (var name in ReservedAttributes.Facets)
        {
            if (e.GetReserved(name) is { } value)
            {
                doc.Add(new StringField(name, Fit(value), Field.Store.NO));
                doc.Add(new SortedDocValuesField(LuceneFields.Facet(name), new global::Lucene.Net.Util.BytesRef(Fit(value))));
            }
        }
        foreach (var tag in e.Tags)
        {
            doc.Add(new StringField(LuceneFields.Tags, Fit(tag), Field.Store.NO));
        }
        foreach (var (path, value) in AttributePath.Flatten(e.Attributes))
        {
            doc.Add(new StringField(LuceneFields.Attribute(path), Fit(value.Text), Field.Store.NO));
            if (value.RangeValue is { } number)
            {
                // Lucene orders -0 below +0; QueryMatcher compares them as equal.
                doc.Add(new DoubleField(LuceneFields.Numeric(path), number + 0d, NumberType));
            }
            else if (IpText.TryParse(value.Text, out var ip))
            {
                doc.Add(new StringField(LuceneFields.Ip(path), IpText.SortKey(IpText.ToUInt128(ip)), Field.Store.NO));
            }
        }
        return doc;
    }

    private static FieldType Frozen(FieldType type)
    {
        type.Freeze();
        return type;
    }

    /// <summary>
    /// Cuts an oversized value (a stack trace, a blob) to a prefix Lucene accepts: the event is still
    /// stored whole and found by prefix and existence, only an exact match on the full value misses.
    /// </summary>
    private static string Fit(string value)
    {
        if (value.Length <= MaxTermChars)
        {
            return value;
        }
        var length = char.IsHighSurrogate(value[MaxTermChars - 1]) ? MaxTermChars - 1 : MaxTermChars;
        return value[..length];
    }
}
