using Portal.Detection.Evaluation;

namespace Portal.Detection.Tests.Evaluation;

public class LiteralAutomatonTests
{
    [Theory]
    [InlineData(4 << 20)]
    [InlineData(0)]
    public void Find_RandomLiteralsAndTexts_ReportsExactlyTheLiteralsTheTextContains(int maxDenseEntries)
    {
        // A small alphabet makes literals overlap and share prefixes and suffixes; 'é', 'ß' and '日' take the trie path
        // beside the ASCII table, mid-literal and mid-text.
        const string alphabet = "abcab-./é日ß";
        var random = new Random(7);
        string Draw(int min, int max) => new([.. Enumerable.Range(0, random.Next(min, max)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        for (var round = 0; round < 50; round++)
        {
            var literals = Enumerable.Range(0, random.Next(1, 40)).Select(_ => Draw(1, 6)).Distinct().ToList();
            var automaton = new LiteralAutomaton(maxDenseEntries: maxDenseEntries);
            for (var i = 0; i < literals.Count; i++)
            {
                automaton.Add(literals[i], i);
            }
            for (var t = 0; t < 20; t++)
            {
                var text = Draw(0, 60);
                var found = new List<int>();

                automaton.Find(text, found);

                var expected = Enumerable.Range(0, literals.Count).Where(i => text.Contains(literals[i], StringComparison.Ordinal));
                Assert.Equal(expected, found.Distinct().Order());
            }
        }
    }

    [Theory]
    [InlineData(4 << 20)]
    [InlineData(0)]
    public void Find_IgnoringAsciiCase_FindsLowerCasedLiteralsInEitherCaseAndOtherLettersExactly(int maxDenseEntries)
    {
        // With no room for the dense table (0), every character walks the trie: both paths must fold case alike.
        // Random ASCII texts in mixed case against lower-cased literals must find what a lower-cased copy would contain.
        const string alphabet = "abcABC-./é";
        var random = new Random(11);
        string Draw(int min, int max) => new([.. Enumerable.Range(0, random.Next(min, max)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        for (var round = 0; round < 50; round++)
        {
            var literals = Enumerable.Range(0, random.Next(1, 30)).Select(_ => Draw(1, 5).ToLowerInvariant()).Distinct().ToList();
            var automaton = new LiteralAutomaton(ignoreAsciiCase: true, maxDenseEntries);
            for (var i = 0; i < literals.Count; i++)
            {
                automaton.Add(literals[i], i);
            }
            for (var t = 0; t < 20; t++)
            {
                var text = Draw(0, 60);
                var found = new List<int>();

                automaton.Find(text, found);

                var lower = text.ToLowerInvariant();
                Assert.Equal(Enumerable.Range(0, literals.Count).Where(i => lower.Contains(literals[i], StringComparison.Ordinal)), found.Distinct().Order());
            }
        }

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
