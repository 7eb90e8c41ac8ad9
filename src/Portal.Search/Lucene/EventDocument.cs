using global::Lucene.Net.Documents;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>Maps a <see cref="LogEvent"/> to the Lucene document every query translation relies on.</summary>
internal static class EventDocument
{

    private static readonly FieldType TimestampType = Frozen(new FieldType(Int64Field.TYPE_NOT_STORED) { NumericPrecisionStep = LuceneFields.TimestampPrecisionStep });
    private static readonly FieldType NumberType = Frozen(new FieldType(DoubleField.TYPE_NOT_STORED) { NumericPrecisionStep = LuceneFields.NumericPrecisionStep });

    /// <summary>Builds the document; <paramref name="sourceJson"/> is what searches return.</summary>
    public static Document Build(LogEvent e, string sourceJson)
    {
        var doc = new Document
        {
            new StringField(LuceneFields.Id, e.Id, Field.Store.NO),
            new NumericDocValuesField(LuceneFields.TieBreak, TieBreak.Of(e.Id)),
            new Int64Field(LuceneFields.Timestamp, e.Timestamp.ToUnixTimeMilliseconds(), TimestampType),
            new NumericDocValuesField(LuceneFields.Timestamp, e.Timestamp.ToUnixTimeMilliseconds()),
            new StoredField(LuceneFields.Source, sourceJson),
            new TextField(LuceneFields.Text, new WordTokenStream(TextTokens.Tokenize(e.Message).Select(IndexedValues.Fit).ToList())),
        };
        foreach (var name in ReservedAttributes.Facets)
        {
            if (e.GetReserved(name) is { } value)
            {
                doc.Add(new StringField(name, IndexedValues.Fit(value), Field.Store.NO));
                doc.Add(new SortedDocValuesField(LuceneFields.Facet(name), new global::Lucene.Net.Util.BytesRef(IndexedValues.Fit(value))));
            }
        }
        foreach (var tag in e.Tags)
        {
            doc.Add(new StringField(LuceneFields.Tags, IndexedValues.Fit(tag), Field.Store.NO));
        }
        foreach (var (path, value) in e.Leaves)
        {
            doc.Add(new StringField(LuceneFields.Attribute(path), IndexedValues.Fit(value.Text), Field.Store.NO));
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
}
