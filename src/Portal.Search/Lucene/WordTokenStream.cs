using global::Lucene.Net.Analysis;
using global::Lucene.Net.Analysis.TokenAttributes;

namespace Portal.Search.Lucene;

/// <summary>
/// Feeds already-split words to the index as they are. Free text is tokenised by
/// <see cref="Portal.Detection.Query.TextTokens"/> alone, so the index holds exactly the words the
/// in-memory matcher sees; an analyzer would split them again (Lucene's char tokenizers cut words at 255 characters).
/// </summary>
internal sealed class WordTokenStream : TokenStream
{
    private IReadOnlyList<string> _words;
    private readonly ICharTermAttribute _term;
    private int _next;

    public WordTokenStream(IReadOnlyList<string> words)
    {
        _words = words;
        _term = AddAttribute<ICharTermAttribute>();
    }

    /// <summary>The words of the next document (the stream is reused from one document to the next).</summary>
    public void SetWords(IReadOnlyList<string> words)
    {
        _words = words;
        _next = 0;
    }

    public override bool IncrementToken()
    {
        ClearAttributes();
        if (_next >= _words.Count)
        {
            return false;
        }
        _term.SetEmpty().Append(_words[_next++]);
        return true;
    }

    public override void Reset()
    {
        base.Reset();
        _next = 0;
    }
}
