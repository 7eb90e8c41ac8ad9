using Portal.Detection.Evaluation;

namespace Portal.Detection.Tests.Evaluation;

public class LiteralAutomatonTests
{
    /// <summary>
    /// Random literals and texts from a small alphabet, so literals overlap and share prefixes and suffixes; 'é', 'ß' and
    /// '日' take the trie path beside the ASCII table, mid-literal and mid-text, and with no room for the dense table (0)
    /// every character walks the trie. Ignoring ASCII case, literals are lower-cased and texts in mixed case must give
    /// what a lower-cased copy of the text contains; otherwise exactly what the text contains.
    /// </summary>
    [Theory]
    [InlineData(false, 4 << 20)]
    [InlineData(false, 0)]
    [InlineData(true, 4 << 20)]
    [InlineData(true, 0)]
    public void Find_RandomLiteralsAndTexts_ReportsExactlyTheLiteralsTheTextContains(bool ignoreAsciiCase, int maxDenseEntries)
    {
        var alphabet = ignoreAsciiCase ? "abcABC-./é" : "abcab-./é日ß";
        var random = new Random(7);
        string Draw(int min, int max) => new([.. Enumerable.Range(0, random.Next(min, max)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        for (var round = 0; round < 50; round++)
        {
            var literals = Enumerable.Range(0, random.Next(1, 40)).Select(_ => ignoreAsciiCase ? Draw(1, 6).ToLowerInvariant() : Draw(1, 6)).Distinct().ToList();
            var automaton = new LiteralAutomaton(ignoreAsciiCase, maxDenseEntries);
            for (var i = 0; i < literals.Count; i++)
            {
                automaton.Add(literals[i], i);
            }
            for (var t = 0; t < 20; t++)
            {
                var text = Draw(0, 60);
                var found = new List<int>();

                automaton.Find(text, found);

                var searched = ignoreAsciiCase ? text.ToLowerInvariant() : text;
                Assert.Equal(Enumerable.Range(0, literals.Count).Where(i => searched.Contains(literals[i], StringComparison.Ordinal)), found.Distinct().Order());
            }
        }
    }

    [Fact]
    public void Find_NotIgnoringCase_UpperCaseTextMissesLowerCaseLiteral()
    {
        var exact = new LiteralAutomaton();
        exact.Add("jndi", 0);
        var none = new List<int>();

        exact.Find("${JNDI:ldap://x}", none);

        Assert.Empty(none);
    }

    [Fact]
    public void Find_AfterMoreLiteralsAreAdded_UsesThemToo()
    {
        var automaton = new LiteralAutomaton();
        automaton.Add("jndi", 0);
        var found = new List<int>();
        automaton.Find("${jndi:ldap://x}", found);

        automaton.Add("ldap", 1);
        automaton.Find("${jndi:ldap://x}", found);

        Assert.Equal([0, 0, 1], found.Order());
    }
}
