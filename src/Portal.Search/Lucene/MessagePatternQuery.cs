using System.Text.Json;
using global::Lucene.Net.Index;
using global::Lucene.Net.Search;
using global::Lucene.Net.Util;
using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>
/// A free-text pattern over the whole message (<see cref="TermKind.MessagePattern"/>), which no term index answers: the
/// words the pattern must contain narrow the documents down, and each candidate's stored event is then tested by
/// <see cref="QueryMatcher"/> itself, so the store and the matcher agree by construction.
/// </summary>
internal static class MessagePatternQuery
{
    private static readonly ISet<string> SourceOnly = new HashSet<string> { LuceneFields.Source };

    /// <summary>The query for <paramref name="term"/>, a <see cref="TermKind.MessagePattern"/> term.</summary>
    public static global::Lucene.Net.Search.Query Create(TermNode term) =>
        new ConstantScoreQuery(new ConfirmingFilter(Candidates(term.Value), QueryMatcher.Compile(term)));

    /// <summary>
    /// The words every match contains, as index queries. A word of a literal run that has a non-word character (or the
    /// anchored start or end of the message) on a side is whole on that side; otherwise it may be part of a longer word.
    /// </summary>
    internal static global::Lucene.Net.Search.Query Candidates(string pattern)
    {
        var clauses = new List<global::Lucene.Net.Search.Query>();
        var runs = WildcardPattern.LiteralRuns(pattern);
        for (var r = 0; r < runs.Count; r++)
        {
            var (text, anchoredStart, anchoredEnd) = runs[r];
            var i = 0;
            while (i < text.Length)
            {
                if (!TextTokens.IsWordChar(text[i]))
                {
                    i++;
                    continue;
                }
                var start = i;
                while (i < text.Length && TextTokens.IsWordChar(text[i]))
                {
                    i++;
                }
                var word = text[start..i];
                if (word.Length > IndexedValues.MaxChars)
                {
                    continue;
                }
                var wholeStart = start > 0 || anchoredStart;
                var wholeEnd = i < text.Length || anchoredEnd;
                var term = new Term(LuceneFields.Text, word);
                global::Lucene.Net.Search.Query clause = (wholeStart, wholeEnd) switch
                {
                    (true, true) => new TermQuery(term),
                    (true, false) => new PrefixQuery(term),
                    (false, true) => new WildcardQuery(new Term(LuceneFields.Text, "*" + WildcardPattern.Escape(word))),
                    _ => new WildcardQuery(new Term(LuceneFields.Text, "*" + WildcardPattern.Escape(word) + "*")),
                };
                clauses.Add(clause);
            }
        }
        return clauses.Count == 0 ? new MatchAllDocsQuery() : LuceneQueryTranslator.Clauses(clauses, Occur.MUST);
    }

    /// <summary>Whether <paramref name="query"/> holds a message pattern, which reads the stored documents it is asked about.</summary>
    public static bool ReadsDocuments(global::Lucene.Net.Search.Query query) => query switch
    {
        ConstantScoreQuery constant => constant.Filter is ConfirmingFilter || constant.Query is { } inner && ReadsDocuments(inner),
        BooleanQuery boolean => boolean.Clauses.Any(c => ReadsDocuments(c.Query)),
        FilteredQuery filtered => ReadsDocuments(filtered.Query),
        _ => false,
    };

    /// <summary>The candidates' documents whose stored event passes the test.</summary>
    private sealed class ConfirmingFilter(global::Lucene.Net.Search.Query candidates, Func<LogEvent, bool> test) : Filter
    {
        private readonly QueryWrapperFilter _candidates = new(candidates);

        public override DocIdSet? GetDocIdSet(AtomicReaderContext context, IBits acceptDocs)
        {
            var inner = _candidates.GetDocIdSet(context, acceptDocs);
            return inner is null ? null : new Confirmed(inner, context.AtomicReader, test);
        }

        public override string ToString() => $"MessagePattern({candidates})";
    }

    private sealed class Confirmed(DocIdSet inner, AtomicReader reader, Func<LogEvent, bool> test) : FilteredDocIdSet(inner)
    {
        // The test reads only the message, so only the message is read out of the stored event.
        protected override bool Match(int docid)
        {
            var source = EventDocument.SourceBytesOf(reader.Document(docid, SourceOnly));
            return !source.IsEmpty && test(new LogEvent { Id = "", Message = StoredMessage(source) });
        }
    }

    /// <summary>
    /// The text free text searched when the stored event was indexed, read from its stored JSON without building the
    /// rest: a log's top-level <c>message</c>; a signal's title and message (<see cref="SignalDocument.SearchableMessage"/>),
    /// told apart by the signal's top-level <c>title</c>.
    /// </summary>
    internal static string? StoredMessage(ReadOnlySpan<byte> source)
    {
        // As deep as stored forms are written: an event 64 levels deep is one level deeper in its stored form.
        var reader = new Utf8JsonReader(source, new JsonReaderOptions { MaxDepth = Portal.Detection.Events.LogEventJson.MaxDepth });
        string? message = null, title = null;
        var hasTitle = false;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMessage = reader.ValueTextEquals("message"u8);
            var isTitle = reader.ValueTextEquals("title"u8);
            reader.Read();
            var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            if (isMessage)
            {
                message = text;
            }
            else if (isTitle)
            {
                (title, hasTitle) = (text, true);
            }
            reader.Skip();
        }
        return hasTitle ? SignalDocument.SearchableMessage(title, message) : message;
    }
}
