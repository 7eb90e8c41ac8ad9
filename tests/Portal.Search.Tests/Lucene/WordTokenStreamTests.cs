using global::Lucene.Net.Analysis.TokenAttributes;
using Portal.Detection.Query;
using Portal.Search.Lucene;

namespace Portal.Search.Tests.Lucene;

public class WordTokenStreamTests
{
    /// <summary>The index must hold exactly the words the in-memory matcher cuts, each fitted as every indexed value is.</summary>
    [Fact]
    public void IncrementToken_AnyText_GivesTheWordsTextTokensCuts()
    {
        var random = new Random(7);
        char[] alphabet = ['a', 'Z', 'é', 'İ', 'ß', 'Σ', '中', '_', '1', ' ', '-', '.', '/', '\t', '\u0301', '\uD801', '\uDC00'];
        var texts = new List<string?>
        {
            null,
            "",
            " -- ",
            "Failed password for invalid user Admin_1 from 203.0.113.9 port 52133 ssh2",
            new string('x', IndexedValues.MaxChars + 5) + " tail",
            new string('x', IndexedValues.MaxChars - 1) + "\uD801\uDC00yy",
        };
        for (var i = 0; i < 5_000; i++)
        {
            texts.Add(new string(Enumerable.Range(0, random.Next(40)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()));
        }
        using var stream = new WordTokenStream();
        var term = stream.GetAttribute<ICharTermAttribute>();

        foreach (var text in texts)
        {
            stream.SetText(text);
            stream.Reset();
            var words = new List<string>();
            while (stream.IncrementToken())
            {
                words.Add(term.ToString());
            }
            stream.End();

            Assert.Equal(TextTokens.Tokenize(text).Select(IndexedValues.Fit), words);
        }
    }
}
