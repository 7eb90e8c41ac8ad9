using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Detection.Signals;
using Portal.Search;
using Portal.Search.Lucene;

namespace Portal.Web.Features.Signals;

/// <summary>
/// What the Signals page's query bar completes: the fields of the signals listed, as the store searches them (their
/// searchable projection: <c>status</c>, tags, <c>@workflow.*</c>, copied attributes such as <c>@network.client.ip</c>),
/// and each field's commonest values among them.
/// </summary>
public static class SignalCompletions
{
    /// <summary>Values kept a field: the commonest.</summary>
    private const int ValuesPerField = 10;

    /// <summary>The fields of <paramref name="signals"/> (most common first) and their commonest values, keyed by field as queried.</summary>
    public static (IReadOnlyList<FieldSummary> Fields, IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Values) Of(IReadOnlyList<SecuritySignal> signals)
    {
        var fields = new Dictionary<(FieldKind Kind, string Name), Dictionary<string, long>>();
        void Count(FieldKind kind, string name, string value, HashSet<(FieldKind, string, string)> seen)
        {
            if (string.IsNullOrEmpty(value) || !seen.Add((kind, name, value)))
            {
                return;
            }
            if (!fields.TryGetValue((kind, name), out var values))
            {
                fields[(kind, name)] = values = new Dictionary<string, long>(StringComparer.Ordinal);
            }
            values[value] = values.GetValueOrDefault(value) + 1;
        }
        var documents = new Dictionary<(FieldKind, string), long>();
        foreach (var signal in signals)
        {
            var searchable = SignalDocument.Searchable(signal);
            var seen = new HashSet<(FieldKind, string, string)>();
            Count(FieldKind.Reserved, "status", searchable.Status ?? "", seen);
            foreach (var tag in searchable.Tags)
            {
                // A signal's source:sshd is searched as source:sshd (SignalDocument.Query); a tag named status or message
                // is not searched by that name: the query language reads those as the severity and free text.
                if (tag.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 && tag[..colon] is var key
                    && key is not (ReservedAttributes.Status or ReservedAttributes.Message))
                {
                    Count(FieldKind.Tag, key, tag[(colon + 1)..], seen);
                }
            }
            foreach (var (path, value) in searchable.Leaves)
            {
                Count(FieldKind.Attribute, path, value.Text, seen);
            }
            foreach (var field in seen.Select(s => (s.Item1, s.Item2)).Distinct())
            {
                documents[field] = documents.GetValueOrDefault(field) + 1;
            }
        }
        var summaries = fields.Keys
            .Select(f => new FieldSummary(f.Kind, f.Name, documents.GetValueOrDefault(f)))
            .OrderByDescending(f => f.Documents).ThenBy(f => f.QueryName, StringComparer.Ordinal)
            .ToList();
        var values = summaries.ToDictionary(
            f => f.QueryName,
            f => (IReadOnlyList<FacetValue>)[.. fields[(f.Kind, f.Name)].OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal)
                .Take(ValuesPerField).Select(v => new FacetValue(v.Key, v.Value))],
            StringComparer.Ordinal);
        return (summaries, values);
    }
}
