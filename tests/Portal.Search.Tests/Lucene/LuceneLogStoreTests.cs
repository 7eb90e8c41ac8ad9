using System.Text.Json.Nodes;
using Portal.Detection.Evaluation;
using Portal.Detection.Events;
using Portal.Detection.Intake;
using Portal.Detection.Query;
using Portal.Detection.Rules;
using Portal.Search.Lucene;
using Portal.Search.Tests.Parity;

namespace Portal.Search.Tests.Lucene;

public sealed class LuceneLogStoreTests : IDisposable
{
    private static readonly Guid TenantA = Guid.Parse("0a000000-0000-0000-0000-00000000000a");
    private static readonly Guid TenantB = Guid.Parse("0b000000-0000-0000-0000-00000000000b");
    private static readonly DateTimeOffset T0 = new(2026, 3, 3, 14, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Ever = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Never = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly LogStoreOnDisk _disk = new();

    private LuceneLogStore Store => _disk.Store;

    private TenantIndexes Indexes => _disk.Indexes;

    public void Dispose() => _disk.Dispose();

    [Fact]
    public async Task DeleteBeforeAsync_OneTenantsRetention_LeavesOtherTenantsDaysAlone()
    {
        foreach (var tenant in new[] { TenantA, TenantB })
        {
            await Store.AppendAsync(tenant, [Event("old", T0.AddDays(-20)), Event("recent", T0)], CancellationToken.None);
            await Store.RefreshAsync(tenant, CancellationToken.None);
        }

        var dropped = await Store.DeleteBeforeAsync(TenantA, DateOnly.FromDateTime(T0.UtcDateTime.AddDays(-14)), CancellationToken.None);

        Assert.Equal([DateOnly.FromDateTime(T0.UtcDateTime.AddDays(-20))], dropped);
        Assert.Equal(["recent"], (await SearchAsync(TenantA, "*")).Items.Select(e => e.Id));
        Assert.Equal(["recent", "old"], (await SearchAsync(TenantB, "*")).Items.Select(e => e.Id));
    }

    [Fact]
    public async Task SearchAsync_AfterAppend_ReturnsEventsNewestFirstAsStored()
    {
        var events = new[] { 3, 0, 4, 1, 2 }.Select(i => Event($"id-{i}", T0.AddSeconds(i), $"message {i}")).ToList();
        events[0].Attributes["http"] = new JsonObject { ["status_code"] = 503, ["url"] = "/a?b=c" };

        await Store.AppendAsync(TenantA, events, CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        var page = await SearchAsync(TenantA, "*");

        Assert.Equal(["id-4", "id-3", "id-2", "id-1", "id-0"], page.Items.Select(e => e.Id));
        Assert.Equal(5, page.TotalHits);
        Assert.Null(page.Next);
        var stored = page.Items[1];
        Assert.Equal((T0.AddSeconds(3), "message 3", "web-1"), (stored.Timestamp, stored.Message, stored.Host));
        Assert.Equal(["env:prod"], stored.Tags);
        Assert.True(JsonNode.DeepEquals(events[0].Attributes, stored.Attributes));
    }

    /// <summary>
    /// The lines of the newest matches: each event's message and status as stored (escapes, attributes nested around
    /// them, no message), newest first, at most the limit; another tenant's never among them.
    /// </summary>
    [Fact]
    public async Task LinesAsync_NewestMatchesMessagesAndStatuses()
    {
        var events = new[] { 3, 0, 4, 1, 2 }.Select(i => Event($"id-{i}", T0.AddSeconds(i), $"message {i} \"quoted\" é")).ToList();
        events[0].Attributes["message"] = new JsonObject { ["status"] = "not the event's" };
        events[1] = new LogEvent { Id = "id-0", Timestamp = T0, Status = "error" };
        await Store.AppendAsync(TenantA, events, CancellationToken.None);
        await Store.AppendAsync(TenantB, [Event("other", T0.AddSeconds(9), "another tenant's")], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        await Store.RefreshAsync(TenantB, CancellationToken.None);

        var lines = await Store.LinesAsync(TenantA, new MatchAllNode(0), T0, T0.AddMinutes(1), 4, CancellationToken.None);

        Assert.Equal(
        [
            new LogLine("message 4 \"quoted\" é", "info"), new LogLine("message 3 \"quoted\" é", "info"), new LogLine("message 2 \"quoted\" é", "info"),
            new LogLine("message 1 \"quoted\" é", "info"),
        ], lines);
        Assert.Equal(new LogLine(null, "error"), (await Store.LinesAsync(TenantA, QueryParser.Parse("status:error"), T0, T0.AddMinutes(1), 10, CancellationToken.None)).Single());
    }

    [Fact]
    public async Task SearchAsync_PagingWithCursor_ReturnsEveryEventExactlyOnceInOrder()
    {
        // 47 events over only 5 distinct timestamps: ties are broken by the key of each id.
        var events = Enumerable.Range(0, 47).Select(i => Event($"ev-{i * 37 % 47:D3}", T0.AddMilliseconds(i % 5 * 250))).ToList();
        await Store.AppendAsync(TenantA, events, CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        var seen = new List<LogEvent>();
        string? cursor = null;
        for (var pages = 0; pages < 20; pages++)
        {
            SearchCursor? after = SearchCursor.TryDecode(cursor, out var decoded) ? decoded : null;
            var page = await Store.SearchAsync(TenantA, new SearchRequest(QueryParser.Parse("env:prod"), Ever, Never, Limit: 5, after), CancellationToken.None);
            seen.AddRange(page.Items);
            if (page.Next is null)
            {
                break;
            }
            cursor = page.Next.Value.Encode();
        }

        Assert.Equal(events.Select(e => e.Id).Order(), seen.Select(e => e.Id).Order());
        Assert.Equal(
            events.OrderByDescending(e => e.Timestamp).ThenByDescending(e => TieBreak.Of(e.Id)).Select(e => e.Id),
            seen.Select(e => e.Id));
    }

    [Fact]
    public async Task SearchAsync_OldestFirstPagingWithCursor_ReturnsEveryEventExactlyOnceInOrder()
    {
        // Over two days (two partitions), with ties in each millisecond.
        var events = Enumerable.Range(0, 47).Select(i => Event($"ev-{i * 37 % 47:D3}", T0.AddHours(i % 2 * 24).AddMilliseconds(i % 5 * 250))).ToList();
        await Store.AppendAsync(TenantA, events, CancellationToken.None);
        await Store.AppendAsync(TenantB, [Event("other", T0)], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        await Store.RefreshAsync(TenantB, CancellationToken.None);

        var seen = new List<LogEvent>();
        SearchCursor? after = null;
        for (var pages = 0; pages < 20; pages++)
        {
            var page = await Store.SearchAsync(TenantA, new SearchRequest(QueryParser.Parse("env:prod"), Ever, Never, Limit: 5, after, OldestFirst: true), CancellationToken.None);
            seen.AddRange(page.Items);
            if (page.Next is not { } next)
            {
                break;
            }
            after = next;
        }

        Assert.Equal(
            events.OrderBy(e => e.Timestamp).ThenBy(e => TieBreak.Of(e.Id)).Select(e => e.Id),
            seen.Select(e => e.Id));
    }

    [Fact]
    public async Task SearchAsync_PageExactlyFull_HasNoNextPage()
    {
        await Store.AppendAsync(TenantA, [.. Enumerable.Range(0, 10).Select(i => Event($"ev-{i}", T0.AddSeconds(i)))], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        var first = await Store.SearchAsync(TenantA, new SearchRequest(QueryParser.Parse("env:prod"), Ever, Never, Limit: 5), CancellationToken.None);
        var last = await Store.SearchAsync(TenantA, new SearchRequest(QueryParser.Parse("env:prod"), Ever, Never, Limit: 5, first.Next), CancellationToken.None);
        var all = await Store.SearchAsync(TenantA, new SearchRequest(QueryParser.Parse("env:prod"), Ever, Never, Limit: 10), CancellationToken.None);

        Assert.Equal((5, true), (first.Items.Count, first.Next is not null));
        Assert.Equal((5, false), (last.Items.Count, last.Next is not null));
        Assert.Equal((10, false, 10), (all.Items.Count, all.Next is not null, all.TotalHits));
    }

    [Fact]
    public async Task SearchAsync_TimeRange_IncludesFromAndExcludesTo()
    {
        var from = T0;
        var to = T0.AddMinutes(5);
        await Store.AppendAsync(TenantA,
        [
            Event("before", from.AddMilliseconds(-1)),
            Event("at-from", from),
            Event("last", to.AddMilliseconds(-1)),
            Event("at-to", to),
        ], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        var page = await Store.SearchAsync(TenantA, new SearchRequest(new MatchAllNode(0), from, to), CancellationToken.None);

        Assert.Equal(["last", "at-from"], page.Items.Select(e => e.Id));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("env:prod")]
    [InlineData("failed")]
    public async Task SearchAsync_RangesOverSeveralSegments_FindExactlyTheEventsInside(string query)
    {
        // Three segments of ten events a second apart: ranges that miss, cut or cover each segment.
        var events = Enumerable.Range(0, 30).Select(i => Event($"ev-{i:D2}", T0.AddSeconds(i))).ToList();
        foreach (var chunk in events.Chunk(10))
        {
            await Store.AppendAsync(TenantA, chunk, CancellationToken.None);
            await Store.RefreshAsync(TenantA, CancellationToken.None);
        }

        foreach (var (from, to) in new[] { (0, 30), (0, 10), (3, 7), (5, 25), (10, 20), (9, 11), (29, 30), (30, 40), (-5, 0) })
        {
            var page = await Store.SearchAsync(TenantA,
                new SearchRequest(QueryParser.Parse(query), T0.AddSeconds(from), T0.AddSeconds(to), Limit: 100), CancellationToken.None);

            var expected = events.Where(e => e.Timestamp >= T0.AddSeconds(from) && e.Timestamp < T0.AddSeconds(to)).Select(e => e.Id).Reverse();
            Assert.Equal(expected, page.Items.Select(e => e.Id));
            Assert.Equal(expected.Count(), page.TotalHits);
        }
    }

    [Fact]
    public async Task SearchAsync_SegmentsOutOfTimeOrder_PagesThroughEveryMatchNewestFirst()
    {
        // Six segments whose time spans arrive out of order and overlap: a search that skips segments older than its
        // page must still page through every match exactly once, newest first.
        int[][] blocks = [[20, 29], [0, 9], [50, 59], [10, 19], [30, 44], [40, 49]];
        var events = new List<LogEvent>();
        foreach (var (block, n) in blocks.Select((b, n) => (b, n)))
        {
            var chunk = Enumerable.Range(block[0], block[1] - block[0] + 1).Select(i => Event($"ev-{i:D2}-{n}", T0.AddSeconds(i), i % 3 == 0 ? "other" : "Failed password")).ToList();
            events.AddRange(chunk);
            await Store.AppendAsync(TenantA, chunk, CancellationToken.None);
            await Store.RefreshAsync(TenantA, CancellationToken.None);
        }

        var expected = events.Where(e => e.Message != "other").OrderByDescending(e => e.Timestamp).ToList();
        var seen = new List<LogEvent>();
        SearchCursor? after = null;
        do
        {
            var page = await Store.SearchAsync(TenantA, new SearchRequest(QueryParser.Parse("failed"), T0, T0.AddMinutes(5), Limit: 7, After: after), CancellationToken.None);
            seen.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);

        // Events of one second (two segments hold 40 to 44) come in an order of their own, but each exactly once.
        Assert.Equal(expected.Select(e => e.Timestamp), seen.Select(e => e.Timestamp));
        Assert.Equal(expected.Select(e => e.Id).Order(), seen.Select(e => e.Id).Order());
    }

    [Fact]
    public async Task SearchAsync_NewestEventsAtTheStartOfASegment_AreOnTheFirstPage()
    {
        // One segment whose first block holds the newest events and whose later blocks hold older ones (a late backlog
        // appended after live traffic, or a merge): the runs read from its end fill the page with older events first.
        var events = Enumerable.Range(0, 4096)
            .Select(i => Event($"ev-{i:D4}", i < 1024 ? T0.AddHours(2).AddSeconds(i) : T0.AddSeconds(i)))
            .ToList();
        await Store.AppendAsync(TenantA, events, CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        var page = await Store.SearchAsync(TenantA, new SearchRequest(QueryParser.Parse("*"), T0, T0.AddHours(3), Limit: 50), CancellationToken.None);

        Assert.Equal(Enumerable.Range(974, 50).Reverse().Select(i => $"ev-{i:D4}"), page.Items.Select(e => e.Id));
    }

    [Fact]
    public async Task SearchAsync_OldestEventsAtTheEndOfASegment_AreOnTheFirstOldestFirstPage()
    {
        // One segment whose last block holds the oldest events (a late backlog appended after live traffic): the runs
        // read from its start fill the page with newer events first.
        var events = Enumerable.Range(0, 4096)
            .Select(i => Event($"ev-{i:D4}", i >= 3072 ? T0.AddSeconds(i - 3072) : T0.AddHours(1).AddSeconds(i)))
            .ToList();
        await Store.AppendAsync(TenantA, events, CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        var page = await Store.SearchAsync(TenantA, new SearchRequest(QueryParser.Parse("*"), T0, T0.AddHours(3), Limit: 50, OldestFirst: true), CancellationToken.None);

        Assert.Equal(Enumerable.Range(3072, 50).Select(i => $"ev-{i:D4}"), page.Items.Select(e => e.Id));
    }

    [Theory]
    [InlineData("failed", 0, 6000, false)]
    [InlineData("failed", 1000, 2500, false)]
    [InlineData("*", 4000, 4100, false)]
    [InlineData("*password\\ for\\ ad*", 500, 5000, false)]
    [InlineData("failed", 0, 6000, true)]
    [InlineData("failed", 1000, 2500, true)]
    [InlineData("*", 4000, 4100, true)]
    [InlineData("*password\\ for\\ ad*", 500, 5000, true)]
    public async Task SearchAsync_ThousandsOfEventsOutOfOrder_PagesInExactlyTheOrderOfASort(string query, int fromSecond, int toSecond, bool oldestFirst)
    {
        // Two segments of 3,000 events, mostly in time order but a tenth anywhere in the span, the second reaching back
        // into the first's time: reading blocks newest first must still give exactly the order of a full sort.
        var random = new Random(7);
        var events = new List<LogEvent>();
        for (var batch = 0; batch < 2; batch++)
        {
            var chunk = Enumerable.Range(0, 3000).Select(i =>
            {
                var second = random.Next(10) == 0 ? random.Next(6000) : batch * 1500 + i;
                var message = i % 2 == 0 ? $"Failed password for admin{i % 7}" : "Accepted publickey";
                return Event($"ev-{batch}-{i:D4}", T0.AddSeconds(second), message);
            }).ToList();
            events.AddRange(chunk);
            await Store.AppendAsync(TenantA, chunk, CancellationToken.None);
            await Store.RefreshAsync(TenantA, CancellationToken.None);
        }
        var (from, to) = (T0.AddSeconds(fromSecond), T0.AddSeconds(toSecond));
        var matcher = QueryMatcher.Compile(QueryParser.Parse(query));

        var seen = new List<string>();
        SearchCursor? after = null;
        do
        {
            var page = await Store.SearchAsync(TenantA, new SearchRequest(QueryParser.Parse(query), from, to, Limit: 50, After: after, OldestFirst: oldestFirst), CancellationToken.None);
            seen.AddRange(page.Items.Select(e => e.Id));
            after = page.Next;
        }
        while (after is not null);

        var matches = events.Where(e => e.Timestamp >= from && e.Timestamp < to && matcher(e)).ToList();
        var expected = (oldestFirst
            ? matches.OrderBy(e => e.Timestamp).ThenBy(e => TieBreak.Of(e.Id))
            : matches.OrderByDescending(e => e.Timestamp).ThenByDescending(e => TieBreak.Of(e.Id))).Select(e => e.Id).ToList();
        Assert.Equal(expected, seen);
        // Counting reads the same blocks (without a query for "*"): the histogram holds exactly the matches.
        var analytics = await Store.AnalyzeAsync(TenantA, QueryParser.Parse(query), from, to, TimeSpan.FromMinutes(10), CancellationToken.None);
        Assert.Equal((expected.Count, expected.Count), (analytics.Total, analytics.Histogram.Sum(b => b.Count)));
    }

    [Fact]
    public async Task AppendAsync_ThenReopen_EventsAreDurable()
    {
        await Store.AppendAsync(TenantA, [Event("kept-1", T0), Event("kept-2", T0.AddSeconds(1))], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        _disk.Reopen();

        Assert.Equal(["kept-2", "kept-1"], (await SearchAsync(TenantA, "env:prod")).Items.Select(e => e.Id));
        Assert.NotNull(Indexes.GetJournaled(TenantA, "logs").Index.Get("kept-1"));
    }

    [Fact]
    public async Task AppendAsync_ConcurrentWriters_AllEventsSearchable()
    {
        var batches = Enumerable.Range(0, 8)
            .Select(b => Enumerable.Range(0, 25).Select(i => Event($"b{b}-{i:D2}", T0.AddSeconds(i))).ToList())
            .ToList();

        await Task.WhenAll(batches.Select(batch => Task.Run(() => Store.AppendAsync(TenantA, batch, CancellationToken.None))));
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        Assert.Equal(200, Indexes.GetJournaled(TenantA, "logs").Index.Count(new MatchAllNode(0), Ever, Never));
    }

    [Fact]
    public async Task Stores_TwoTenantsInOneDataDirectory_NeverSeeEachOthersEvents()
    {
        await Store.AppendAsync(TenantA, [Event("a-1", T0, "Failed password"), Event("a-2", T0, "Failed password")], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        await Store.AppendAsync(TenantB, [Event("b-1", T0, "Failed password")], CancellationToken.None);
        await Store.RefreshAsync(TenantB, CancellationToken.None);
        var request = new AggregationRequest(QueryParser.Parse("failed"), Ever, Never, [new FieldRef(FieldKind.Reserved, "host")], RuleAggregations.Count, null, Ever);

        Assert.Equal(["a-1", "a-2"], (await SearchAsync(TenantA, "failed")).Items.Select(e => e.Id).Order());
        Assert.Equal(["b-1"], (await SearchAsync(TenantB, "failed")).Items.Select(e => e.Id));
        Assert.Equal(2, Assert.Single(await Store.Aggregator(TenantA).AggregateAsync(request, CancellationToken.None)).Count);
        Assert.Equal(1, Assert.Single(await Store.Aggregator(TenantB).AggregateAsync(request, CancellationToken.None)).Count);
        Assert.Empty((await SearchAsync(Guid.Parse("0c000000-0000-0000-0000-00000000000c"), "*")).Items);
        Assert.Throws<ArgumentException>(() => Store.Aggregator(Guid.Empty));
    }

    /// <summary>
    /// A scheduled rule's aggregation reads its events as the index holds them, not in time order (it holds one at a time):
    /// each group's samples are still its earliest events, oldest first, the first indexed among those of one time.
    /// </summary>
    [Fact]
    public async Task Aggregator_EventsIndexedOutOfTimeOrder_SamplesAreTheEarliest()
    {
        await Store.AppendAsync(TenantA, [Event("late", T0.AddMinutes(3)), Event("tied-1", T0.AddMinutes(1)), Event("later", T0.AddMinutes(4))], CancellationToken.None);
        await Store.AppendAsync(TenantA, [Event("tied-2", T0.AddMinutes(1)), Event("first", T0), Event("last", T0.AddMinutes(5))], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        var request = new AggregationRequest(QueryParser.Parse("failed"), Ever, Never, [new FieldRef(FieldKind.Reserved, "host")], RuleAggregations.Count, null, Ever, SampleSize: 3);

        var group = Assert.Single(await Store.Aggregator(TenantA).AggregateAsync(request, CancellationToken.None));

        Assert.Equal((6L, T0, T0.AddMinutes(5)), (group.Count, group.FirstSeen, group.LastSeen));
        Assert.Equal(["first", "tied-1", "tied-2"], group.Samples.Select(e => e.Id));
    }

    public static TheoryData<string, string[], string, string?> AggregationRequests() => new()
    {
        { "source:sshd", ["@network.client.ip"], RuleAggregations.Count, null },
        { "@evt.outcome:failure", ["@network.client.ip", "@usr.name"], RuleAggregations.Count, null },
        { "*", ["env"], RuleAggregations.Count, null },
        { "*", ["status"], RuleAggregations.Cardinality, "host" },
        { "@http.status_code:*", [], RuleAggregations.Count, null },
        { "-source:cloudtrail", ["service"], RuleAggregations.Cardinality, "@usr.name" },
        { "@usr.id:*", ["@usr.id"], RuleAggregations.Count, null },
    };

    [Theory]
    [MemberData(nameof(AggregationRequests))]
    public async Task Aggregator_SameEvents_MatchesInMemoryAggregator(string query, string[] groupBy, string aggregation, string? distinct)
    {
        await Store.AppendAsync(TenantA, ParityCorpus.Events, CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        var request = new AggregationRequest(
            QueryParser.Parse(query),
            T0.AddMinutes(3),
            T0.AddMinutes(10),
            [.. groupBy.Select(f => FieldNames.TryParse(f)!)],
            aggregation,
            distinct is null ? null : FieldNames.TryParse(distinct),
            NewSince: T0.AddMinutes(5),
            SampleSize: 3);

        var lucene = await Store.Aggregator(TenantA).AggregateAsync(request, CancellationToken.None);
        var inMemory = await new InMemoryEventAggregator(ParityCorpus.Events).AggregateAsync(request, CancellationToken.None);

        Assert.NotEmpty(inMemory);
        Assert.Equal(Describe(inMemory), Describe(lucene));
    }

    [Fact]
    public async Task EvaluateAsync_RuleOverLuceneStore_GivesSameCandidatesAsInMemory()
    {
        var (definition, errors) = RuleJson.Parse("""
            {"name":"failures then success","queries":[
               {"query":"@evt.outcome:failure","groupByFields":["@network.client.ip"]},
               {"query":"@evt.outcome:success","groupByFields":["@network.client.ip"]}],
             "cases":[{"status":"high","condition":"a >= 2 && b > 0"},{"status":"low","condition":"a > 0 || b > 0"}]}
            """);
        Assert.Empty(errors);
        var rule = CompiledRule.Compile("rule-1", definition!);
        await Store.AppendAsync(TenantA, ParityCorpus.Events, CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        var lucene = await ThresholdEvaluator.EvaluateAsync(rule, Store.Aggregator(TenantA), T0, T0.AddHours(1), T0, CancellationToken.None);
        var inMemory = await ThresholdEvaluator.EvaluateAsync(rule, new InMemoryEventAggregator(ParityCorpus.Events), T0, T0.AddHours(1), T0, CancellationToken.None);

        Assert.Equal(
            inMemory.Select(c => $"{c.GroupKey} {c.Case.Status} a={c.Values["a"]} b={c.Values["b"]} {string.Join(',', c.Samples.Select(s => s.Id))}").Order(),
            lucene.Select(c => $"{c.GroupKey} {c.Case.Status} a={c.Values["a"]} b={c.Values["b"]} {string.Join(',', c.Samples.Select(s => s.Id))}").Order());
        Assert.Contains(lucene, c => c.GroupBy["@network.client.ip"] == "203.0.113.77" && c.Case.Status == "high");
    }

    [Fact]
    public async Task AppendAsync_AttributeLongerThanLuceneTermLimit_IsStoredAndFindable()
    {
        var stack = "java.lang.IllegalStateException: boom\n" + string.Concat(Enumerable.Range(0, 1500).Select(i => $"\tat com.shop.Layer{i}.call(Layer{i}.java:{i})\n"));
        var big = Event("big", T0, "Unhandled exception " + new string('x', 40_000));
        big.Attributes["error"] = new JsonObject { ["stack"] = stack, ["kind"] = "IllegalStateException" };

        await Store.AppendAsync(TenantA, [big, Event("small", T0)], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(stack) > 32_766);
        Assert.Equal(["big"], (await SearchAsync(TenantA, "@error.stack:*")).Items.Select(e => e.Id));
        Assert.Equal(["big"], (await SearchAsync(TenantA, "@error.stack:java.lang.IllegalStateException*")).Items.Select(e => e.Id));
        Assert.Equal(["big"], (await SearchAsync(TenantA, "unhandled")).Items.Select(e => e.Id));
        Assert.Equal(stack, (await SearchAsync(TenantA, "@error.kind:IllegalStateException")).Items.Single().GetAttribute("error.stack").Single().Text);
    }

    private Task<EventPage<LogEvent>> SearchAsync(Guid tenant, string query) =>
        Store.SearchAsync(tenant, new SearchRequest(QueryParser.Parse(query), Ever, Never, Limit: 1000), CancellationToken.None);

    [Fact]
    public async Task AnalyzeAsync_CountsPerBucketAndTopFacetValues()
    {
        await Store.AppendAsync(TenantA,
        [
            Event("1", T0),
            Event("2", T0.AddMinutes(1)),
            Event("3", T0.AddMinutes(1).AddSeconds(30)),
            Event("4", T0.AddMinutes(3)),
        ], CancellationToken.None);
        await Store.AppendAsync(TenantB, [Event("b", T0)], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        var analytics = await Store.AnalyzeAsync(TenantA, new MatchAllNode(0), T0, T0.AddMinutes(4), TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(4, analytics.Total);
        Assert.Equal([1L, 2L, 0L, 1L], analytics.Histogram.Select(b => b.Count));
        Assert.Equal(T0.AddMinutes(2), analytics.Histogram[2].Start);
        Assert.Equal([new FacetValue("web-1", 4)], analytics.Facets["host"]);
        Assert.Equal([new FacetValue("info", 4)], analytics.Facets["status"]);
    }

    /// <summary>Buckets start on multiples of the interval (as Elasticsearch's and Datadog's do); the first and last count only what the window holds.</summary>
    [Fact]
    public async Task AnalyzeAsync_WindowOffTheInterval_BucketsStartOnItAndCountOnlyTheWindow()
    {
        await Store.AppendAsync(TenantA,
        [
            Event("before", T0.AddSeconds(10)),
            Event("1", T0.AddSeconds(40)),
            Event("2", T0.AddMinutes(1).AddSeconds(5)),
            Event("3", T0.AddMinutes(2).AddSeconds(10)),
            Event("after", T0.AddMinutes(2).AddSeconds(30)),
        ], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        var from = T0.AddSeconds(30);
        var analytics = await Store.AnalyzeAsync(TenantA, new MatchAllNode(0), from, T0.AddMinutes(2).AddSeconds(20), TimeSpan.FromMinutes(1), CancellationToken.None);
        var series = await Store.SeriesAsync(TenantA, new MatchAllNode(0), from, T0.AddMinutes(2).AddSeconds(20), TimeSpan.FromMinutes(1), "host", 5, CancellationToken.None);

        Assert.Equal(3, analytics.Total);
        Assert.Equal([(T0, 1L), (T0.AddMinutes(1), 1L), (T0.AddMinutes(2), 1L)], analytics.Histogram.Select(b => (b.Start, b.Count)));
        Assert.Equal(analytics.Histogram, series.Histogram);
    }

    /// <summary>Buckets on multiples of the interval in a clock ahead of UTC (India's, +05:30): hours start at half past on UTC's.</summary>
    [Fact]
    public async Task AnalyzeAsync_Offset_BucketsOnTheOffsetClocksMultiples()
    {
        var day = new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero);
        await Store.AppendAsync(TenantA, [Event("1", day.AddMinutes(10)), Event("2", day.AddMinutes(40)), Event("3", day.AddMinutes(150))], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        var analytics = await Store.AnalyzeAsync(TenantA, new MatchAllNode(0), day, day.AddHours(3), TimeSpan.FromHours(1), CancellationToken.None, offset: new TimeSpan(5, 30, 0));

        Assert.Equal(
            [(day.AddMinutes(-30), 1L), (day.AddMinutes(30), 1L), (day.AddMinutes(90), 0L), (day.AddMinutes(150), 1L)],
            analytics.Histogram.Select(b => (b.Start, b.Count)));
    }

    [Fact]
    public async Task AnalyzeAsync_AttributeFacets_CountTheMostCommonAttributesValuesAmongMatchesOnly()
    {
        var events = Enumerable.Range(0, 6).Select(i => new LogEvent
        {
            Id = $"e{i}",
            Timestamp = T0.AddSeconds(i),
            Host = "web-1",
            Service = "shop",
            Message = "GET /",
            Tags = i < 2 ? ["env:prod", "team:web"] : ["env:prod"],
            Attributes = new JsonObject
            {
                ["usr"] = new JsonObject { ["name"] = "root" },
                ["http"] = new JsonObject { ["status_code"] = i < 4 ? 200 : 500 },
            },
        }).ToList();
        events[0].Attributes["rare"] = "x";
        events[1].Attributes["rare"] = "x";
        events[5].Attributes["usr"] = new JsonObject { ["name"] = "alice" };
        await Store.AppendAsync(TenantA, events, CancellationToken.None);
        await Store.AppendAsync(TenantB, [Event("b", T0)], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        await Store.RefreshAsync(TenantB, CancellationToken.None);

        var analytics = await Store.AnalyzeAsync(TenantA, QueryParser.Parse("-@http.status_code:200 OR @rare:x"), T0, T0.AddMinutes(1), TimeSpan.FromMinutes(1), CancellationToken.None, attributeFacets: 2);
        var fields = await Store.FieldsAsync(TenantA, T0, T0.AddMinutes(1), CancellationToken.None);

        Assert.Equal(["status", "service", "host", "source", "@http.status_code", "@usr.name"], analytics.Facets.Keys);
        Assert.Equal([new FacetValue("200", 2), new FacetValue("500", 2)], analytics.Facets["@http.status_code"]);
        Assert.Equal([new FacetValue("root", 3), new FacetValue("alice", 1)], analytics.Facets["@usr.name"]);
        Assert.Equal(["env:6", "@http.status_code:6", "@usr.name:6", "@rare:2", "team:2"], fields.Select(f => $"{f.QueryName}:{f.Documents}"));
        Assert.Equal(["env:1", "@usr.name:1"], (await Store.FieldsAsync(TenantB, T0, T0.AddMinutes(1), CancellationToken.None)).Select(f => $"{f.QueryName}:{f.Documents}"));
    }

    [Theory]
    [InlineData(SeriesCollectorDefault)]
    [InlineData(1)] // every segment too wide for one table: the kept values are counted in a second pass
    [InlineData(8)] // the first segment's two values fit, the second segment's three do not
    public async Task SeriesAsync_GroupedByService_TopValuesWithCountsAndHistogramsOfOneTenant(long maxCells)
    {
        await AppendServicesInTwoSegmentsAsync();

        var series = Indexes.GetJournaled(TenantA, "logs").Index.Series(new MatchAllNode(0), T0, T0.AddMinutes(4), TimeSpan.FromMinutes(1), "service", limit: 2, maxCells);

        Assert.Equal(11, series.Total);
        Assert.Equal([4L, 3L, 3L, 1L], series.Histogram.Select(b => b.Count));
        Assert.Equal(["shop:5", "auth:3"], series.Groups.Select(g => $"{g.Value}:{g.Count}"));
        Assert.Equal([2L, 1L, 1L, 1L], series.Groups[0].Histogram.Select(b => b.Count));
        Assert.Equal([1L, 1L, 1L, 0L], series.Groups[1].Histogram.Select(b => b.Count));
        Assert.Equal(T0.AddMinutes(3), series.Groups[1].Histogram[3].Start);
        var filtered = await Store.SeriesAsync(TenantA, QueryParser.Parse("-service:shop"), T0, T0.AddMinutes(4), TimeSpan.FromMinutes(2), "service", 10, CancellationToken.None);
        Assert.Equal(["auth:3", "cart:2"], filtered.Groups.Select(g => $"{g.Value}:{g.Count}"));
        Assert.Equal([4L, 2L], filtered.Histogram.Select(b => b.Count));
        var other = await Store.SeriesAsync(TenantB, new MatchAllNode(0), T0, T0.AddMinutes(4), TimeSpan.FromMinutes(1), "service", 10, CancellationToken.None);
        Assert.Equal(["shop:1"], other.Groups.Select(g => $"{g.Value}:{g.Count}"));
        // Chosen values (a further interval of the same groups): in their order, a value without matches counting zero.
        var chosen = await Store.SeriesAsync(TenantA, new MatchAllNode(0), T0, T0.AddMinutes(4), TimeSpan.FromMinutes(1), "service", 10, CancellationToken.None, ["cart", "absent", "shop"]);
        Assert.Equal(["cart:2", "absent:0", "shop:5"], chosen.Groups.Select(g => $"{g.Value}:{g.Count}"));
        Assert.Equal([0L, 1L, 1L, 0L], chosen.Groups[0].Histogram.Select(b => b.Count));
        Assert.Equal([0L, 0L, 0L, 0L], chosen.Groups[1].Histogram.Select(b => b.Count));
        Assert.Equal([2L, 1L, 1L, 1L], chosen.Groups[2].Histogram.Select(b => b.Count));
        Assert.Equal(11, chosen.Total);
    }

    private const long SeriesCollectorDefault = 1 << 22;

    /// <summary>
    /// Tenant A's services over four minutes in two segments (a refresh between the batches), so values and their ordinals
    /// differ between segments; one event without a service, one an hour later; tenant B's one event.
    /// </summary>
    private async Task AppendServicesInTwoSegmentsAsync()
    {
        string[] services = ["shop", "shop", "auth", "shop", "auth", "cart", "shop", "auth", "cart", "shop"];
        var events = services.Select((service, i) => new LogEvent { Id = $"s{i}", Timestamp = T0.AddSeconds(i * 20), Service = service, Message = "GET /" }).ToList();
        events.Add(new LogEvent { Id = "none", Timestamp = T0, Message = "no service" });
        events.Add(new LogEvent { Id = "late", Timestamp = T0.AddHours(1), Service = "cart", Message = "outside the range" });
        await Store.AppendAsync(TenantA, events[..5], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        await Store.AppendAsync(TenantA, events[5..], CancellationToken.None);
        await Store.AppendAsync(TenantB, [Event("b", T0)], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        await Store.RefreshAsync(TenantB, CancellationToken.None);
    }

    [Theory]
    [InlineData(SeriesCollectorDefault)]
    [InlineData(1)] // every segment too wide for one table: the kept values are counted in a second pass
    public async Task Analyze_StackedByService_StacksAddUpToTheHistogramAsTheSeriesCountsThemForOneTenant(long maxCells)
    {
        await AppendServicesInTwoSegmentsAsync();
        var index = Indexes.GetJournaled(TenantA, "logs").Index;
        var (query, from, to, interval) = (QueryParser.Parse("-service:cart"), T0, T0.AddMinutes(4), TimeSpan.FromMinutes(1));
        static IEnumerable<string> Groups(IEnumerable<SeriesGroup> groups) => groups.Select(g => $"{g.Value}:{g.Count}:{string.Join(',', g.Histogram.Select(b => b.Count))}");

        var analytics = index.Analyze(query, from, to, interval, LuceneLogStore.FacetFields, facetSize: 10, stackBy: "service", stackLimit: 2, maxCells: maxCells);
        var series = index.Series(query, from, to, interval, "service", limit: 2);

        Assert.Equal(9, analytics.Total);
        Assert.Equal([4L, 2L, 2L, 1L], analytics.Histogram.Select(b => b.Count));
        Assert.Equal(["shop:5:2,1,1,1", "auth:3:1,1,1,0"], Groups(analytics.Stacks!));
        Assert.Equal(Groups(series.Groups), Groups(analytics.Stacks!));
        Assert.Equal(series.Histogram, analytics.Histogram);
        Assert.Equal(T0.AddMinutes(3), analytics.Stacks![0].Histogram[3].Start);
        Assert.Null((await Store.AnalyzeAsync(TenantA, query, from, to, interval, CancellationToken.None)).Stacks);
        var other = await Store.AnalyzeAsync(TenantB, new MatchAllNode(0), from, to, interval, CancellationToken.None, stackBy: "service");
        Assert.Equal(["shop:1:1,0,0,0"], Groups(other.Stacks!));
    }

    [Fact]
    public async Task AppendAsync_ConsecutiveEventsOfDifferentShapes_EachIndexedWithItsOwnValuesOnly()
    {
        // Field instances are reused from one document to the next: nothing of an event may leak into the next one.
        await Store.AppendAsync(TenantA,
        [
            new LogEvent { Id = "wide", Timestamp = T0, Host = "h1", Service = "shop", Message = "first words", Tags = ["env:prod"],
                Attributes = new JsonObject { ["ids"] = new JsonArray(1, 2, 3), ["ip"] = "10.0.0.1", ["usr"] = new JsonObject { ["name"] = "root" } } },
            new LogEvent { Id = "narrow", Timestamp = T0.AddSeconds(1), Message = "second", Attributes = new JsonObject { ["ids"] = 4 } },
            new LogEvent { Id = "bare", Timestamp = T0.AddSeconds(2) },
        ], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);

        async Task<string> Ids(string query) => string.Join(",", (await SearchAsync(TenantA, query)).Items.Select(e => e.Id).Order(StringComparer.Ordinal));

        Assert.Equal("wide", await Ids("@ids:3"));
        Assert.Equal("narrow,wide", await Ids("@ids:>=2"));
        Assert.Equal("narrow", await Ids("@ids:4"));
        Assert.Equal("wide", await Ids("@ip:CIDR(10.0.0.0/8)"));
        Assert.Equal("wide", await Ids("@usr.name:* host:h1 service:shop env:prod words"));
        Assert.Equal("narrow", await Ids("second -@usr.name:* -host:* -env:*"));
        Assert.Equal("bare", await Ids("-@ids:* -second -words"));
    }


    [Fact]
    public async Task AttributeFacetsAndCardinality_MatchesInTheMiddleOfASegment_CountOnlyThem()
    {
        // One segment of 30 events a second apart; the range holds events 10 to 19, so every value's postings start
        // before the first match and end after the last.
        var events = Enumerable.Range(0, 30).Select(i => new LogEvent
        {
            Id = $"a{i:D2}",
            Timestamp = T0.AddSeconds(i),
            Service = "shop",
            Message = "GET /",
            Attributes = new JsonObject { ["usr"] = new JsonObject { ["name"] = i is 10 or 19 ? "edge" : $"u{i % 3}" } },
        }).ToList();
        await Store.AppendAsync(TenantA, events, CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        var (from, to) = (T0.AddSeconds(10), T0.AddSeconds(20));
        var expected = events.Where(e => e.Timestamp >= from && e.Timestamp < to).CountBy(e => e.GetAttribute("usr.name").Single().Text)
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}:{c.Value}");

        var analytics = await Store.AnalyzeAsync(TenantA, new MatchAllNode(0), from, to, TimeSpan.FromMinutes(1), CancellationToken.None, attributeFacets: 1);
        var distinct = await Store.CardinalityAsync(TenantA, QueryParser.Parse("service:shop"), from, to, new FieldRef(FieldKind.Attribute, "usr.name"), CancellationToken.None);

        Assert.Equal(expected, analytics.Facets["@usr.name"].Select(f => $"{f.Value}:{f.Count}"));
        Assert.Equal(4, distinct);
    }


    [Fact]
    public async Task AnalyzeAndSeries_EverythingInARange_BlocksCountedWholeAgreeWithEveryEvent()
    {
        // 12,000 events 20 ms apart: most 1,024-document blocks lie within one minute and are counted without reading
        // their timestamps; the blocks a minute boundary or the range's edges cut are read one event at a time.
        string[] services = ["shop", "auth", "cart"];
        var events = Enumerable.Range(0, 12_000)
            .Select(i => new LogEvent { Id = $"m{i:D5}", Timestamp = T0.AddMilliseconds(i * 20), Service = services[i * 7 % 3 == 0 ? 0 : i % 3], Message = "GET /" })
            .ToList();
        await Store.AppendAsync(TenantA, events, CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        var (from, to) = (T0.AddSeconds(10), T0.AddSeconds(230));
        var inRange = events.Where(e => e.Timestamp >= from && e.Timestamp < to).ToList();
        long[] Expected(IEnumerable<LogEvent> matches) => Enumerable.Range(0, 4)
            .Select(b => (long)matches.Count(e => e.Timestamp >= T0.AddMinutes(b) && e.Timestamp < T0.AddMinutes(b + 1))).ToArray(); // buckets on whole minutes

        var analytics = await Store.AnalyzeAsync(TenantA, new MatchAllNode(0), from, to, TimeSpan.FromMinutes(1), CancellationToken.None, stackBy: "service");
        var series = await Store.SeriesAsync(TenantA, new MatchAllNode(0), from, to, TimeSpan.FromMinutes(1), "service", 10, CancellationToken.None);

        Assert.Equal(inRange.Count, analytics.Total);
        Assert.Equal(Expected(inRange), analytics.Histogram.Select(b => b.Count));
        Assert.Equal(inRange.CountBy(e => e.Service!).OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}:{c.Value}"), analytics.Facets["service"].Select(f => $"{f.Value}:{f.Count}"));
        Assert.Equal(inRange.Count, series.Total);
        Assert.Equal(Expected(inRange), series.Histogram.Select(b => b.Count));
        foreach (var group in series.Groups)
        {
            Assert.Equal(Expected(inRange.Where(e => e.Service == group.Value)), group.Histogram.Select(b => b.Count));
        }
        Assert.Equal(3, series.Groups.Count);
        // The stacks, counted in the analysis's pass (whole blocks included), are the series' groups.
        Assert.Equal(series.Groups.Select(g => (g.Value, g.Count)), analytics.Stacks!.Select(g => (g.Value, g.Count)));
        foreach (var stack in analytics.Stacks!)
        {
            Assert.Equal(Expected(inRange.Where(e => e.Service == stack.Value)), stack.Histogram.Select(b => b.Count));
        }
    }


    [Fact]
    public async Task CardinalityAsync_Field_CountsDistinctValuesAmongMatchesOfOneTenant()
    {
        var events = Enumerable.Range(0, 8).Select(i => new LogEvent
        {
            Id = $"c{i}",
            Timestamp = T0.AddSeconds(i),
            Host = $"web-{i % 3}",
            Service = i < 6 ? "shop" : "admin",
            Message = "GET /",
            Tags = [$"env:{(i % 2 == 0 ? "prod" : "dev")}", "team:web"],
            Attributes = new JsonObject { ["usr"] = new JsonObject { ["name"] = $"u{i % 4}" } },
        }).ToList();
        await Store.AppendAsync(TenantA, events, CancellationToken.None);
        await Store.AppendAsync(TenantB, [Event("b1", T0), Event("b2", T0)], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        await Store.RefreshAsync(TenantB, CancellationToken.None);

        async Task<long> Distinct(Guid tenant, string query, FieldRef field) =>
            await Store.CardinalityAsync(tenant, QueryParser.Parse(query), Ever, Never, field, CancellationToken.None);

        Assert.Equal(3, await Distinct(TenantA, "*", new FieldRef(FieldKind.Reserved, "host")));
        Assert.Equal(4, await Distinct(TenantA, "*", new FieldRef(FieldKind.Attribute, "usr.name")));
        Assert.Equal(2, await Distinct(TenantA, "service:admin", new FieldRef(FieldKind.Attribute, "usr.name")));
        Assert.Equal(2, await Distinct(TenantA, "*", new FieldRef(FieldKind.Tag, "env")));
        Assert.Equal(1, await Distinct(TenantA, "env:prod", new FieldRef(FieldKind.Tag, "env")));
        Assert.Equal(0, await Distinct(TenantA, "*", new FieldRef(FieldKind.Attribute, "absent")));
        Assert.Equal(1, await Distinct(TenantB, "*", new FieldRef(FieldKind.Attribute, "usr.name")));
    }

    /// <summary>
    /// Every read stops once its token is cancelled, a term query's and the whole range's alike (the range is read by
    /// blocks, a query's matches by a collector checking the token): the index's reads given a cancelled token throw
    /// instead of answering (which proves the token reaches the collection), and the store's end cancelled, as its callers
    /// expect (whether the thread pool or the read stopped them). A live token reads as usual.
    /// </summary>
    [Theory]
    [InlineData("*")]
    [InlineData("host:web-1")]
    public async Task Reads_TokenCancelled_Stop(string text)
    {
        await Store.AppendAsync(TenantA, [.. Enumerable.Range(0, 50).Select(i => Event($"e{i}", T0.AddSeconds(i)))], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        var index = Indexes.GetJournaled(TenantA, LuceneLogStore.Kind).Index;
        var query = QueryParser.Parse(text);
        var user = new FieldRef(FieldKind.Attribute, "usr.name");
        var aggregate = new AggregateRequest(query, Ever, Never, [new AggregateMeasure(AggregateFunction.Count, null)], [new AggregateGroupBy(new FieldRef(FieldKind.Reserved, "service"))]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var token = cancelled.Token;

        Action[] reads =
        [
            () => index.Search(query, Ever, Never, 10, null, cancellation: token),
            () => index.Lines(query, Ever, Never, 10, token),
            () => index.ScanSources(query, Ever, Never, cancellation: token),
            () => index.Analyze(query, Ever, Never, TimeSpan.FromMinutes(1), LuceneLogStore.FacetFields, 10, attributeFacets: 2, stackBy: "status", cancellation: token),
            () => index.Series(query, Ever, Never, TimeSpan.FromMinutes(1), "host", 5, cancellation: token),
            () => index.Fields(Ever, Never, token),
            () => index.Cardinality(query, Ever, Never, user, token),
            () => index.Aggregate(aggregate, cancellation: token),
        ];
        foreach (var read in reads)
        {
            Assert.ThrowsAny<OperationCanceledException>(read);
        }
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.AnalyzeAsync(TenantA, query, Ever, Never, TimeSpan.FromMinutes(1), token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.SearchAsync(TenantA, new SearchRequest(query, Ever, Never, 10), token));

        using var live = new CancellationTokenSource();
        Assert.Equal(50, (await Store.AnalyzeAsync(TenantA, query, Ever, Never, TimeSpan.FromMinutes(1), live.Token)).Total);
        Assert.Equal(10, (await Store.SearchAsync(TenantA, new SearchRequest(query, Ever, Never, 10), live.Token)).Items.Count);
        Assert.Equal(1, await Store.CardinalityAsync(TenantA, query, Ever, Never, user, live.Token));
    }

    /// <summary>
    /// Events are found by id, in the order asked, across days: the intake's ids in their own day's partition (a day holding
    /// thousands of one millisecond's events), ids given by hand in any. Another organisation's, an unknown or a malformed id
    /// is not found, and a cancelled token stops the read.
    /// </summary>
    [Fact]
    public async Task FindAsync_ById_OnlyTheOrganisationsEvents()
    {
        var (monday, tuesday) = (T0, T0.AddDays(1));
        var crowd = Enumerable.Range(0, 3_000).Select(_ => Event(EventIds.New(tuesday), tuesday)).ToList();
        var early = Event(EventIds.New(monday.AddSeconds(5)), monday.AddSeconds(5), "Accepted publickey");
        // An id of the intake's layout naming another millisecond than its event's: found in its day all the same.
        var moved = Event(EventIds.New(monday.AddSeconds(7)), monday.AddSeconds(8));
        await Store.AppendAsync(TenantA, [early, .. crowd, Event("by-hand", monday.AddMinutes(1)), moved], CancellationToken.None);
        var theirs = Event(EventIds.New(monday.AddSeconds(6)), monday.AddSeconds(6));
        await Store.AppendAsync(TenantB, [theirs], CancellationToken.None);
        await Store.RefreshAsync(TenantA, CancellationToken.None);
        await Store.RefreshAsync(TenantB, CancellationToken.None);

        var found = await Store.FindAsync(TenantA, [crowd[1_234].Id, early.Id, "by-hand", theirs.Id, EventIds.New(monday), "01ZZZZZZZZ!!!!!!!!!!!!!!!!", early.Id, moved.Id], CancellationToken.None);

        Assert.Equal([crowd[1_234].Id, early.Id, "by-hand", moved.Id], found.Select(e => e.Id));
        Assert.Equal("Accepted publickey", found[1].Message);
        Assert.Equal(monday.AddSeconds(5), found[1].Timestamp);
        Assert.Equal([theirs.Id], (await Store.FindAsync(TenantB, [theirs.Id, early.Id], CancellationToken.None)).Select(e => e.Id));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.FindAsync(TenantA, [early.Id], cancelled.Token));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.FindAsync(TenantA, [.. Enumerable.Repeat(early.Id, ILogStore.MaxFind + 1)], CancellationToken.None));
    }

    /// <summary>
    /// Looked for at its millisecond, a log is found among that millisecond's documents only (its day's keys are the
    /// store's fallback); without one, among every document's keys.
    /// </summary>
    [Fact]
    public void EventSearcher_Get_AtAMillisecond_ReadsOnlyItsDocuments()
    {
        using var directory = new TempDirectory();
        using var index = new LuceneEventIndex(directory.Path, keyed: false);
        var at = T0.AddSeconds(3);
        var e = Event(EventIds.New(at), at);
        index.Add([(e, LogEventJson.Serialize(e), false), (Event("other", at), LogEventJson.Serialize(Event("other", at)), false)]);
        index.Refresh();
        var ms = at.ToUnixTimeMilliseconds();

        Assert.Equal(e.Id, LogEventJson.Deserialize(index.WithSearcher(s => EventSearcher.Get(s, e.Id, keyed: false, ms))!).Id);
        Assert.Null(index.WithSearcher(s => EventSearcher.Get(s, e.Id, keyed: false, ms + 1)));
        Assert.Null(index.WithSearcher(s => EventSearcher.Get(s, e.Id, keyed: false, ms - 1)));
        Assert.NotNull(index.WithSearcher(s => EventSearcher.Get(s, e.Id, keyed: false)));
    }

    /// <summary>An intake id names its event's millisecond; any other string names none.</summary>
    [Fact]
    public void EventIds_TimeOf_ReadsTheMillisecondBack()
    {
        var at = new DateTimeOffset(2026, 12, 6, 17, 30, 1, 234, TimeSpan.Zero);

        Assert.Equal(at, EventIds.TimeOf(EventIds.New(at)));
        Assert.Null(EventIds.TimeOf("by-hand"));
        Assert.Null(EventIds.TimeOf("01JEZ5ZC0JUUUUUUUUUUUUUUUU"));
        Assert.Null(EventIds.TimeOf("ZZZZZZZZZZ0000000000000000"));
    }

    /// <summary>A query's collector stops within a few thousand matches of its token's cancellation, not at the segment's end.</summary>
    [Fact]
    public void CancellableCollector_StopsWithinAFewThousandMatches()
    {
        using var cancellation = new CancellationTokenSource();
        var counted = new global::Lucene.Net.Search.TotalHitCountCollector();
        var collector = CancellableCollector.Of(counted, cancellation.Token);
        collector.SetNextReader(null!);
        for (var doc = 0; doc < 5_000; doc++)
        {
            collector.Collect(doc);
        }
        cancellation.Cancel();

        Assert.Throws<OperationCanceledException>(() =>
        {
            for (var doc = 5_000; doc < 1_000_000; doc++)
            {
                collector.Collect(doc);
            }
        });
        Assert.InRange(counted.TotalHits, 5_000, 5_000 + 4_096);
        Assert.Same(counted, CancellableCollector.Of(counted, CancellationToken.None));
    }

    private static LogEvent Event(string id, DateTimeOffset at, string message = "Failed password for root") => new()
    {
        Id = id,
        Timestamp = at,
        Host = "web-1",
        Service = "shop",
        Source = "nginx",
        Status = "info",
        Message = message,
        Tags = ["env:prod"],
        Attributes = new JsonObject { ["usr"] = new JsonObject { ["name"] = "root" } },
    };

    private static IEnumerable<string> Describe(IEnumerable<GroupAggregate> groups) => groups
        .Select(g => $"[{string.Join('|', g.GroupValues)}] value={g.Value} count={g.Count} new={g.NewCount} first={g.FirstSeen:O} last={g.LastSeen:O} samples={string.Join(',', g.Samples.Select(s => s.Id))}")
        .Order(StringComparer.Ordinal);
}
