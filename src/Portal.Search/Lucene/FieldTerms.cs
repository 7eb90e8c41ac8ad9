using global::Lucene.Net.Index;
using global::Lucene.Net.Util;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>Where a field's exact values lie in a segment, and its values one term at a time (for their postings).</summary>
internal static class FieldTerms
{
    /// <summary>
    /// The index fields holding <paramref name="field"/>'s values and the start their terms share there: a reserved
    /// attribute's in its own field; a tag's in the tags, behind its key; an attribute's in its own field, or in the shared
    /// field of paths beyond the index's limit (<see cref="AttributeFields"/>), behind its path.
    /// </summary>
    public static (string Field, string Prefix)[] SourcesOf(FieldRef field) => field.Kind switch
    {
        FieldKind.Attribute => [(LuceneFields.Attribute(field.Name), ""), (LuceneFields.OverflowAttributes, LuceneFields.Overflowing(field.Name, ""))],
        FieldKind.Tag => [(LuceneFields.Tags, field.Name + ":")],
        _ => [(field.Name, "")],
    };

    /// <summary>Whether the segment holds any of <paramref name="field"/>'s index fields.</summary>
    public static bool Any(AtomicReader reader, FieldRef field) => SourcesOf(field).Any(source => reader.GetTerms(source.Field) is not null);

    /// <summary>
    /// Each value of <paramref name="field"/> in the segment, with the terms enumeration standing on it (to read its
    /// postings before moving on).
    /// </summary>
    public static IEnumerable<(string Value, TermsEnum Terms)> Values(AtomicReader reader, FieldRef field)
    {
        foreach (var (name, prefix) in SourcesOf(field))
        {
            if (reader.GetTerms(name) is not { } terms)
            {
                continue;
            }
            var values = terms.GetEnumerator();
            var more = prefix.Length == 0 ? values.MoveNext() : values.SeekCeil(new BytesRef(prefix)) != TermsEnum.SeekStatus.END;
            for (; more; more = values.MoveNext())
            {
                var term = values.Term.Utf8ToString();
                if (!term.StartsWith(prefix, StringComparison.Ordinal))
                {
                    break;
                }
                yield return (term[prefix.Length..], values);
            }
        }
    }
}
