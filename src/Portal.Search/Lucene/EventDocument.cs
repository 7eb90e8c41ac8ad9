using global::Lucene.Net.Documents;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>Maps a <see cref="LogEvent"/> to the Lucene document every query translation relies on.</summary>
internal static class EventDocument
{
    /// <summary>Builds the document; <paramref name="sourceJson"/> is what searches return.</summary>
    public static Document Build(LogEvent e, string sourceJson)
    {
        var doc = new Document
        {
            new StringField(LuceneFields.Id, e.Id, Field.Store.YES),
            new SortedDocValuesField(LuceneFields.Id, new global::Lucene.Net.Util.BytesRef(e.Id)),
            new Int64Field(LuceneFields.Timestamp, e.Timestamp.ToUnixTimeMilliseconds(), Field.Store.NO),
            new NumericDocValuesField(LuceneFields.Timestamp, e.Timestamp.ToUnixTimeMilliseconds()),
            new StoredField(LuceneFields.Source, sourceJson),
            new TextField(LuceneFields.Text, string.Join(' ', TextTokens.Tokenize(e.Message)), Field.Store.NO),
        };
        foreach (var name in ReservedAttributes.Facets)
        {
            if (e.GetReserved(name) is { } value)
            {
                doc.Add(new StringField(name, value, Field.Store.NO));
                doc.Add(new StringField(LuceneFields.Exists, name, Field.Store.NO));
            }
        }
        foreach (var tag in e.Tags)
        {
            doc.Add(new StringField(LuceneFields.Tags, tag, Field.Store.NO));
            var colon = tag.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                doc.Add(new StringField(LuceneFields.Exists, LuceneFields.TagKey(tag[..colon]), Field.Store.NO));
            }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, value) in AttributePath.Flatten(e.Attributes))
        {
            doc.Add(new StringField(LuceneFields.Attribute(path), value.Text, Field.Store.NO));
            if (value.Number is { } number)
            {
                doc.Add(new DoubleField(LuceneFields.Numeric(path), number, Field.Store.NO));
            }
            if (seen.Add(path))
            {
                doc.Add(new StringField(LuceneFields.Exists, LuceneFields.Attribute(path), Field.Store.NO));
            }
        }
        return doc;
    }
}
