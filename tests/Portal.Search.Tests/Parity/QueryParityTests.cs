using Portal.Detection.Query;
using Portal.Search.Lucene;

namespace Portal.Search.Tests.Parity;

/// <summary>The corpus indexed once in a real Lucene store, shared by every parity case.</summary>
public sealed class IndexedCorpus : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private TenantIndexes? _indexes;

    public static readonly Guid Tenant = Guid.Parse("7d7f3f4e-2f0b-4b8e-9a51-0c6f3c1d2e01");

    public LuceneLogStore Store { get; private set; } = null!;

    /// <summary>The tenant's raw log index, for counts.</summary>
    public PartitionedEventIndex Index => _indexes!.GetJournaled(Tenant, "logs").Index;

    public async Task InitializeAsync()
    {
        _indexes = new TenantIndexes(_directory.Path);
        Store = new LuceneLogStore(_indexes);
        await Store.AppendAsync(Tenant, ParityCorpus.Events, CancellationToken.None);
        await Store.RefreshAsync(Tenant, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _indexes?.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Every query of <c>Parity/corpus.json</c> hits exactly its expected events, both in memory
/// (<see cref="QueryMatcher"/>, used by rule tests and previews) and in the Lucene store (used by search and detection).
/// </summary>
public class QueryParityTests(IndexedCorpus corpus) : IClassFixture<IndexedCorpus>
{
    private static readonly DateTimeOffset From = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var c in ParityCorpus.Cases)
        {
            data.Add(c.Query, Ids(c.Expected));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Query_InMemoryAndLucene_HitExactlyTheExpectedEvents(string query, string expected)
    {
        var node = QueryParser.Parse(query);

        var inMemory = Ids(ParityCorpus.Events.Where(e => QueryMatcher.Matches(node, e)).Select(e => e.Id));
        var page = await corpus.Store.SearchAsync(IndexedCorpus.Tenant, new SearchRequest(node, From, To, Limit: 100), CancellationToken.None);
        var lucene = Ids(page.Items.Select(e => e.Id));
        var count = corpus.Index.Count(node, From, To);

        Assert.True(
            inMemory == expected && lucene == expected && count == page.TotalHits && page.TotalHits == page.Items.Count,
            $"query: {query}\nexpected: [{expected}]\nin memory: [{inMemory}]\nlucene: [{lucene}] (total {page.TotalHits}, count {count})");
    }

    /// <summary>Queries of more clauses than Lucene takes in one query (1,024): a Sigma rule's list of values, a long phrase of words.</summary>
    public static TheoryData<string, bool> LongQueries()
    {
        var values = Enumerable.Range(0, 1_500).Select(i => $"absent-{i}").ToList();
        var networks = Enumerable.Range(0, 1_100).Select(i => $"198.18.{i / 256}.{i % 256}/32").ToList();
        return new TheoryData<string, bool>
        {
            { $"service:({string.Join(" OR ", values)} OR sshd)", true },
            { $"-service:({string.Join(" OR ", values)} OR sshd)", true },
            { string.Join(" ", Enumerable.Repeat("password", 1_100)), true },
            { $"CIDR(@network.client.ip, {string.Join(", ", networks)}, 203.0.113.0/24)", true },
            // No message holds the phrase: its words narrow the candidates, the matcher confirms none.
            { $"*{string.Join("\\ ", Enumerable.Repeat("password", 1_100))}*", false },
        };
    }

    [Theory]
    [MemberData(nameof(LongQueries))]
    public async Task Query_MoreClausesThanLuceneTakesInOne_HitsWhatTheMatcherHits(string query, bool hits)
    {
        var node = QueryParser.Parse(query);

        var inMemory = Ids(ParityCorpus.Events.Where(e => QueryMatcher.Matches(node, e)).Select(e => e.Id));
        var page = await corpus.Store.SearchAsync(IndexedCorpus.Tenant, new SearchRequest(node, From, To, Limit: 100), CancellationToken.None);

        Assert.Equal(hits, inMemory != "");
        Assert.Equal(inMemory, Ids(page.Items.Select(e => e.Id)));
    }

    [Fact]
    public void Index_EveryCaseAtOnce_FindsExactlyTheExpectedEvents()
    {
        // Detection files every rule query in one index and confirms only the candidates: filing must never lose a match.
        var index = new Portal.Detection.Evaluation.QueryIndex<int>();
        var cases = ParityCorpus.Cases;
        for (var i = 0; i < cases.Count; i++)
        {
            index.Add(QueryParser.Parse(cases[i].Query), i);
        }
        var found = cases.Select(_ => new List<string>()).ToList();
        var matches = new List<int>();
        foreach (var e in ParityCorpus.Events)
        {
            matches.Clear();
            index.Matches(e, matches);
            foreach (var i in matches)
            {
                found[i].Add(e.Id);
            }
        }

        var wrong = cases.Select((c, i) => (c.Query, Expected: Ids(c.Expected), Found: Ids(found[i]))).Where(x => x.Expected != x.Found).ToList();
        Assert.Empty(wrong);
        Assert.True(index.UnfiledCount < cases.Count / 10, $"{index.UnfiledCount} of {cases.Count} queries unfiled");
    }

    [Fact]
    public void Corpus_AsLoaded_IsLargeEnoughAndConsistent()
    {
        var ids = ParityCorpus.Events.Select(e => e.Id).ToList();

        Assert.InRange(ids.Count, 18, 30);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.True(ParityCorpus.Cases.Count >= 200, $"only {ParityCorpus.Cases.Count} cases");
        Assert.Empty(ParityCorpus.Cases.GroupBy(c => c.Query).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Empty(ParityCorpus.Cases.SelectMany(c => c.Expected).Except(ids));
        Assert.Empty(ids.Except(ParityCorpus.Cases.SelectMany(c => c.Expected)));
    }

    [Fact]
    public void Corpus_AllQueries_CoverEverySyntaxFeature()
    {
        var seen = ParityCorpus.Cases.SelectMany(c => Features(QueryParser.Parse(c.Query))).ToHashSet();
        string[] required =
        [
            "MatchAll", "And", "Or", "Not",
            .. from kind in Enum.GetValues<FieldKind>()
               from term in Enum.GetValues<TermKind>()
               where term != TermKind.MessagePattern || kind == FieldKind.FreeText
               select $"Term:{kind}:{term}",
            .. from lower in BoundKinds from upper in BoundKinds where (lower, upper) != ("open", "open") select $"Range:{lower}-{upper}",
            "Cidr", "Exists:Reserved", "Exists:Tag", "Exists:Attribute",
        ];

        Assert.Empty(required.Except(seen));
    }

    [Fact]
    public async Task Query_RandomCombinationsOfCorpusQueries_InMemoryAndLuceneAgree()
    {
        var random = new Random(42);
        var atoms = ParityCorpus.Cases.Select(c => c.Query).Where(q => q.Length is > 0 and < 80 && !q.Contains(" OR ", StringComparison.Ordinal)).ToArray();
        var failures = new List<string>();

        for (var i = 0; i < 200; i++)
        {
            var query = RandomQuery(random, atoms, depth: 0);
            var node = QueryParser.Parse(query);
            var inMemory = Ids(ParityCorpus.Events.Where(e => QueryMatcher.Matches(node, e)).Select(e => e.Id));
            var page = await corpus.Store.SearchAsync(IndexedCorpus.Tenant, new SearchRequest(node, From, To, Limit: 100), CancellationToken.None);
            var lucene = Ids(page.Items.Select(e => e.Id));
            if (inMemory != lucene)
            {
                failures.Add($"{query}\n  in memory: [{inMemory}]\n  lucene:    [{lucene}]");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(5)));
    }

    [Fact]
    public async Task Query_RandomStringsThatParse_InMemoryAndLuceneAgree()
    {
        var random = new Random(7);
        string[] pieces =
        [
            " ", " ", " OR ", " AND ", "NOT ", "-", "(", ")", "\"", "*", ":", "\\", "\\:",
            "host:", "service:", "status:", "env:", "team:", "Team:", "@usr.name:", "@http.status_code:", "@network.client.ip:", "@items.qty:", "@empty:", "@delta:", "message:",
            ">", ">=", "<", "0", "-0", "500", "?", "[", "]", "{", "}", " TO ", "*]", "2026-03-03", "CIDR(@network.client.ip, ", "203.0.113.0/24)", "::/0)", "203.0.113.77", "root", "Alice", "alice", "failed", "Failed", "password", "bastion-1", "prod", "web", "é", "élodie", "user", "42", "a-b", ".",
        ];
        var failures = new List<string>();
        var compared = 0;

        for (var i = 0; i < 2000 && compared < 300; i++)
        {
            var query = string.Concat(Enumerable.Range(0, random.Next(1, 8)).Select(_ => pieces[random.Next(pieces.Length)]));
            if (!QueryParser.TryParse(query, out var node, out _))
            {
                continue;
            }
            compared++;
            var inMemory = Ids(ParityCorpus.Events.Where(e => QueryMatcher.Matches(node!, e)).Select(e => e.Id));
            var page = await corpus.Store.SearchAsync(IndexedCorpus.Tenant, new SearchRequest(node!, From, To, Limit: 100), CancellationToken.None);
            var lucene = Ids(page.Items.Select(e => e.Id));
            if (inMemory != lucene)
            {
                failures.Add($"{query}\n  in memory: [{inMemory}]\n  lucene:    [{lucene}]");
            }
        }

        Assert.True(compared >= 150, $"only {compared} random queries parsed");
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(5)));
    }

    private static string RandomQuery(Random random, string[] atoms, int depth)
    {
        if (depth > 2 || random.Next(3) == 0)
        {
            var atom = atoms[random.Next(atoms.Length)];
            return random.Next(4) == 0 ? $"-({atom})" : $"({atom})";
        }
        var left = RandomQuery(random, atoms, depth + 1);
        var right = RandomQuery(random, atoms, depth + 1);
        return random.Next(3) switch
        {
            0 => $"{left} OR {right}",
            1 => $"{left} AND {right}",
            _ => $"NOT ({left}) {right}",
        };
    }

    private static IEnumerable<string> Features(QueryNode node) => node switch
    {
        MatchAllNode => ["MatchAll"],
        AndNode and => and.Children.SelectMany(Features).Append("And"),
        OrNode or => or.Children.SelectMany(Features).Append("Or"),
        NotNode not => Features(not.Child).Append("Not"),
        TermNode term => [$"Term:{term.Field.Kind}:{term.Kind}"],
        RangeNode range => [$"Range:{Bound(range.Lower, range.IncludeLower)}-{Bound(range.Upper, range.IncludeUpper)}"],
        CidrNode => ["Cidr"],
        ExistsNode exists => [$"Exists:{exists.Field.Kind}"],
        _ => [node.GetType().Name],
    };

    private static readonly string[] BoundKinds = ["open", "incl", "excl"];

    private static string Bound(double? value, bool inclusive) => value is null ? "open" : inclusive ? "incl" : "excl";

    private static string Ids(IEnumerable<string> ids) => string.Join(",", ids.Order(StringComparer.Ordinal));
}
