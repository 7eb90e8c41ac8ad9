using global::Lucene.Net.Analysis;
using global::Lucene.Net.Analysis.TokenAttributes;
using Portal.Detection.Query;

namespace Portal.Search.Lucene;

/// <summary>
/// Feeds a text's words to the index, cut exactly as <see cref="TextTokens.Tokenize(string?)"/> cuts them (and each
/// <see cref="IndexedValues.Fit"/>), so the index holds exactly the words the in-memory matcher sees; an analyzer would
/// split them again (Lucene's char tokenizers cut words at 255 characters). The words are copied from the lower-cased
/// text into the term as they are read, with no string or list per word.
/// </summary>
internal sealed class WordTokenStream : TokenStream
{
    private readonly ICharTermAttribute _term;
    private string _text = "";
    private string _lowered = "";
    private int _next;

    public WordTokenStream()
    {
        _term = AddAttribute<ICharTermAttribute>();
    }

    /// <summary>The text of the next document (the stream is reused from one document to the next).</summary>
    public void SetText(string? text)
    {
        _text = text ?? "";
        _lowered = _text.ToLowerInvariant();
        _next = 0;
    }

    public override bool IncrementToken()
    {
        ClearAttributes();
        var i = _next;
        while (i < _text.Length && !TextTokens.IsWordChar(_text[i]))
        {
            i++;
        }
        if (i == _text.Length)
        {
            _next = i;
            return false;
        }
        var start = i;
        while (i < _text.Length && TextTokens.IsWordChar(_text[i]))
        {
            i++;
        }
        _next = i;
        // Invariant lower-casing maps char for char; should it not (TextTokens does the same), the word is lowered alone.
        var word = _lowered.Length == _text.Length ? _lowered.AsSpan(start, i - start) : _text[start..i].ToLowerInvariant();
        word = word[..IndexedValues.FitLength(word)];
        word.CopyTo(_term.ResizeBuffer(word.Length));
        _term.SetLength(word.Length);
        return true;
    }

    public override void Reset()
    {
        base.Reset();
        _next = 0;
    }
}
