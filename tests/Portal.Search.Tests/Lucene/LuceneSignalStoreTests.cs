using System.Text.Json.Nodes;
using Portal.Detection.Query;
using Portal.Detection.Rules;
using Portal.Detection.Signals;
using Portal.Search.Lucene;

namespace Portal.Search.Tests.Lucene;

public sealed class LuceneSignalStoreTests : IDisposable
{
    private static readonly Guid TenantA = Guid.Parse("1a000000-0000-0000-0000-00000000001a");
    private static readonly Guid TenantB = Guid.Parse("1b000000-0000-0000-0000-00000000001b");
    private static readonly DateTimeOffset T0 = new(2026, 3, 3, 14, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Ever = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Never = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();
    private readonly TenantIndexes _indexes;
    private readonly LuceneSignalStore _store;

    public LuceneSignalStoreTests()
    {
        _indexes = new TenantIndexes(_directory.Path);
        _store = new LuceneSignalStore(_indexes);
    }

    public void Dispose()
    {
        _indexes.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task UpsertAsync_SameIdAgain_ReplacesWithoutDuplicates()
    {
        var signal = Signal("sig-1", "rule-1", "203.0.113.77", T0, Severities.Low);
        await _store.UpsertAsync(TenantA, [signal], CancellationToken.None);

        signal.Severity = Severities.High;
        signal.EventsMatched = 42;
        signal.LastSeen = T0.AddMinutes(5);
        await _store.UpsertAsync(TenantA, [signal], CancellationToken.None);
        await _store.UpsertAsync(TenantA, [signal], CancellationToken.None);

        var all = await SearchAsync(TenantA, "*");
        var stored = Assert.Single(all.Items);
        Assert.Equal((Severities.High, 42L, T0.AddMinutes(5)), (stored.Severity, stored.EventsMatched, stored.LastSeen));
        Assert.Empty((await SearchAsync(TenantA, "status:low")).Items);
        Assert.Equal(42, (await _store.GetAsync(TenantA, "sig-1", CancellationToken.None))!.EventsMatched);
    }

    /// <summary>Searches and reads stop at a cancelled token (they run off the caller's thread, as the log store's); a live one reads as usual.</summary>
    [Fact]
    public async Task Reads_TokenCancelled_Stop()
    {
        await _store.UpsertAsync(TenantA, [Signal("sig-1", "rule-1", "203.0.113.77", T0, Severities.Low)], CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.SearchAsync(TenantA, new SearchRequest(QueryParser.Parse("*"), Ever, Never), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.GetAsync(TenantA, "sig-1", cancelled.Token));
        Assert.Throws<OperationCanceledException>(() => _indexes.Get(TenantA, "signals").Search(QueryParser.Parse("*"), Ever, Never, 10, null, cancellation: cancelled.Token));
        Assert.Single((await _store.SearchAsync(TenantA, new SearchRequest(QueryParser.Parse("*"), Ever, Never), CancellationToken.None)).Items);
    }

    [Fact]
    public async Task SearchAsync_SeverityTriageStateRuleAndAttributes_FindTheRightSignals()
    {
        var archived = Signal("high-archived", "rule-1", "198.51.100.1", T0.AddMinutes(1), Severities.High);
        archived.TriageState = TriageStates.Archived;
        archived.ArchiveReason = "false_positive";
        var reviewed = Signal("critical-review", "rule-2", "198.51.100.2", T0.AddMinutes(2), Severities.Critical);
        reviewed.TriageState = TriageStates.UnderReview;
        await _store.UpsertAsync(TenantA,
        [
            Signal("high-open", "rule-1", "203.0.113.77", T0, Severities.High),
            archived,
            Signal("low-open", "rule-2", "203.0.113.77", T0.AddMinutes(3), Severities.Low),
            reviewed,
        ], CancellationToken.None);

        Assert.Equal(["high-archived", "high-open"], await IdsAsync("status:high"));
        Assert.Equal(["low-open", "high-open"], await IdsAsync("@workflow.triage.state:open"));
        Assert.Equal(["high-open"], await IdsAsync("status:high @workflow.triage.state:open"));
        Assert.Equal(["low-open", "critical-review", "high-open"], await IdsAsync("-@workflow.triage.state:archived"));
        Assert.Equal(["high-archived"], await IdsAsync("@workflow.triage.archive_reason:false_positive"));
        Assert.Equal(["low-open", "critical-review"], await IdsAsync("@workflow.rule.id:rule-2"));
        Assert.Equal(["low-open", "high-open"], await IdsAsync("@network.client.ip:203.0.113.77"));
        Assert.Equal(["low-open", "critical-review", "high-archived", "high-open"], await IdsAsync("@workflow.rule.name:\"SSH brute force\" source:ssh"));
        Assert.Equal(["low-open", "critical-review", "high-archived", "high-open"], await IdsAsync("brute technique:T1110-brute-force"));
        Assert.Equal(["critical-review"], await IdsAsync("status:critical OR @severity:critical -status:high"));
    }

    /// <summary>
    /// A signal's <c>source:</c>, <c>host:</c> and <c>service:</c> are its tags of those names (every signal is tagged with
    /// the sources of its logs), as in Datadog's Signals Explorer; <c>status:</c> stays its severity. Another organisation's
    /// signals of the same source are never found.
    /// </summary>
    [Fact]
    public async Task SearchAsync_SourceHostAndService_AreTheSignalsTags()
    {
        var web = Signal("web", "rule-2", "198.51.100.2", T0.AddMinutes(1), Severities.Medium);
        web.Tags = ["source:nginx", "service:shop", "host:web-1"];
        await _store.UpsertAsync(TenantA, [Signal("ssh", "rule-1", "203.0.113.77", T0, Severities.High), web], CancellationToken.None);
        await _store.UpsertAsync(TenantB, [Signal("other-ssh", "rule-1", "203.0.113.77", T0, Severities.High)], CancellationToken.None);

        Assert.Equal(["ssh"], await IdsAsync("source:ssh"));
        Assert.Equal(["web"], await IdsAsync("-source:ssh"));
        Assert.Equal(["web", "ssh"], await IdsAsync("source:ssh OR source:nginx"));
        Assert.Equal(["web"], await IdsAsync("source:ngi*"));
        Assert.Equal(["web", "ssh"], await IdsAsync("source:*"));
        Assert.Equal(["ssh"], await IdsAsync("-host:*"));
        Assert.Equal(["web"], await IdsAsync("service:shop host:web-1"));
        Assert.Equal(["ssh"], await IdsAsync("status:high source:ssh"));
        Assert.Empty(await IdsAsync("source:vigil"));
        Assert.Equal(["other-ssh"], (await SearchAsync(TenantB, "source:ssh")).Items.Select(s => s.Id));
    }

    /// <summary>Every page of a search says how many signals it found in all, the pages after a cursor too, and each signal comes once.</summary>
    [Fact]
    public async Task SearchAsync_PagesAfterACursor_SayTheSearchsTotal()
    {
        await _store.UpsertAsync(TenantA, [.. Enumerable.Range(0, 5).Select(i => Signal($"sig-{i}", "rule-1", $"203.0.113.{i}", T0.AddMinutes(i), Severities.High))], CancellationToken.None);
        await _store.UpsertAsync(TenantB, [Signal("other", "rule-1", "203.0.113.9", T0, Severities.High)], CancellationToken.None);

        var (seen, totals) = (new List<string>(), new List<int>());
        SearchCursor? after = null;
        do
        {
            var page = await _store.SearchAsync(TenantA, new SearchRequest(QueryParser.Parse("source:ssh"), Ever, Never, Limit: 2, After: after), CancellationToken.None);
            seen.AddRange(page.Items.Select(s => s.Id));
            totals.Add(page.TotalHits);
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal(["sig-4", "sig-3", "sig-2", "sig-1", "sig-0"], seen);
        Assert.Equal([5, 5, 5], totals);
    }

    /// <summary>
    /// A rule grouped by host, service or a tag raises signals found by those values (<c>host:web-1</c>), as by an attribute
    /// it grouped by; its stored tags stay the rule's and the sources'.
    /// </summary>
    [Fact]
    public async Task SearchAsync_GroupedByHostServiceOrTag_FoundByTheGroupsValues()
    {
        var web = Signal("web", "rule-2", "198.51.100.2", T0, Severities.Medium);
        web.GroupBy = new Dictionary<string, string> { ["host"] = "web-1", ["service"] = "shop", ["env"] = "prod", ["status"] = "error", ["@network.client.ip"] = "198.51.100.2" };
        await _store.UpsertAsync(TenantA, [Signal("ssh", "rule-1", "203.0.113.77", T0, Severities.High), web], CancellationToken.None);

        Assert.Equal(["web"], await IdsAsync("host:web-1 service:shop env:prod"));
        Assert.Equal(["ssh"], await IdsAsync("-host:web-1"));
        Assert.Empty(await IdsAsync("status:error"));
        Assert.Equal(["source:ssh", "technique:T1110-brute-force"], (await _store.GetAsync(TenantA, "web", CancellationToken.None))!.Tags);
    }

    /// <summary>
    /// The signals of a query are counted over time, each bucket stacked by severity, and by severity (a signal's source: is
    /// its tag); another organisation's are never counted.
    /// </summary>
    [Fact]
    public async Task AnalyzeAsync_CountsTheSignalsOverTimeBySeverity()
    {
        var web = Signal("web", "rule-2", "198.51.100.2", T0.AddMinutes(62), Severities.Medium);
        web.Tags = ["source:nginx", "sourcetype:access", "technique:T1190", "source:"];
        web.TriageState = TriageStates.Archived;
        await _store.UpsertAsync(TenantA,
        [
            Signal("a", "rule-1", "203.0.113.1", T0.AddMinutes(1), Severities.High),
            Signal("b", "rule-1", "203.0.113.2", T0.AddMinutes(2), Severities.High),
            Signal("c", "rule-1", "203.0.113.3", T0.AddMinutes(61), Severities.Low),
            web,
        ], CancellationToken.None);
        await _store.UpsertAsync(TenantB, [Signal("other", "rule-1", "203.0.113.1", T0.AddMinutes(1), Severities.Critical)], CancellationToken.None);

        var all = await AnalyzeAsync(TenantA, "*");
        var ssh = await AnalyzeAsync(TenantA, "source:ssh");
        var other = await AnalyzeAsync(TenantB, "*");

        Assert.Equal(4, all.Total);
        Assert.Equal([(T0, 2L), (T0.AddHours(1), 2L)], all.Histogram.Select(b => (b.Start, b.Count)));
        Assert.Equal(["high=2", "low=1", "medium=1"], all.Facets["status"].Select(v => $"{v.Value}={v.Count}").Order());
        Assert.Equal(["high=2,0", "low=0,1", "medium=0,1"], all.Stacks!.Select(g => $"{g.Value}={string.Join(',', g.Histogram.Select(b => b.Count))}").Order());
        Assert.Equal((3L, 1L), (ssh.Total, ssh.Histogram[1].Count));
        Assert.Equal(["critical=1"], other.Facets["status"].Select(v => $"{v.Value}={v.Count}"));
        // The Signals Explorer's facets: attributes, and tags by their key (source:nginx as nginx; sourcetype: is another key,
        // and source: alone no value).
        string Values(LogAnalytics analytics, string facet) => string.Join(" ", analytics.Facets[facet].Select(v => $"{v.Value}={v.Count}"));
        Assert.Equal("ssh=3 nginx=1", Values(all, "source"));
        Assert.Equal("T1110-brute-force=3 T1190=1", Values(all, "technique"));
        Assert.Equal("", Values(all, "tactic"));
        Assert.Equal("open=3 archived=1", Values(all, "@workflow.triage.state"));
        Assert.Equal("SSH brute force=4", Values(all, "@workflow.rule.name"));
        Assert.Equal("198.51.100.2=1 203.0.113.1=1 203.0.113.2=1 203.0.113.3=1", Values(all, "@network.client.ip"));
        Assert.Equal("ssh=3", Values(ssh, "source"));
        Assert.Equal("ssh=1", Values(other, "source"));
    }

    /// <summary>
    /// A facet's values past the analysis' top ten: every one up to the limit asked, most common first, of the signals the
    /// query finds in the window (severity, an attribute, a tag key alike); another organisation's are never counted.
    /// </summary>
    [Fact]
    public async Task FacetValuesAsync_CountsOneFacetsValuesPastTheTopTen()
    {
        var signals = Enumerable.Range(0, 14).Select(i => Signal($"s{i}", "rule-1", $"203.0.113.{i % 12}", T0.AddMinutes(i), i < 3 ? Severities.High : Severities.Low)).ToList();
        signals[13].Tags = ["source:nginx"];
        await _store.UpsertAsync(TenantA, signals, CancellationToken.None);
        await _store.UpsertAsync(TenantB, [Signal("theirs", "rule-1", "198.51.100.9", T0.AddMinutes(1), Severities.Critical)], CancellationToken.None);
        Task<IReadOnlyList<FacetValue>> Values(Guid tenant, string query, string facet, int limit = 100, DateTimeOffset? to = null) =>
            _store.FacetValuesAsync(tenant, QueryParser.Parse(query), T0, to ?? T0.AddHours(1), facet, limit, CancellationToken.None);
        static string Shown(IReadOnlyList<FacetValue> values) => string.Join(" ", values.Select(v => $"{v.Value}={v.Count}"));

        var ips = await Values(TenantA, "*", "@network.client.ip");
        Assert.Equal(12, ips.Count);
        Assert.Equal("203.0.113.0=2 203.0.113.1=2 203.0.113.10=1", Shown(ips.Take(3).ToList()));
        Assert.Equal("203.0.113.0=2 203.0.113.1=2", Shown(await Values(TenantA, "*", "@network.client.ip", limit: 2)));
        Assert.Equal("203.0.113.0=1 203.0.113.1=1 203.0.113.2=1", Shown(await Values(TenantA, "status:high", "@network.client.ip")));
        Assert.Equal("203.0.113.0=1 203.0.113.1=1 203.0.113.2=1", Shown(await Values(TenantA, "*", "@network.client.ip", to: T0.AddMinutes(3))));
        Assert.Equal("low=11 high=3", Shown(await Values(TenantA, "*", "status")));
        Assert.Equal("ssh=13 nginx=1", Shown(await Values(TenantA, "*", "source")));
        Assert.Equal("nginx=1", Shown(await Values(TenantA, "source:nginx", "source")));
        Assert.Equal("", Shown(await Values(TenantA, "*", "@usr.missing")));
        Assert.Equal("198.51.100.9=1", Shown(await Values(TenantB, "*", "@network.client.ip")));
        Assert.Equal("critical=1", Shown(await Values(TenantB, "*", "status")));
    }

    [Fact]
    public async Task LatestByGroupAsync_ReturnsNewestSignalPerGroupOfThatRuleOnly()
    {
        await _store.UpsertAsync(TenantA,
        [
            Signal("r1-g1-old", "rule-1", "203.0.113.77", T0, Severities.Low),
            Signal("r1-g1-new", "rule-1", "203.0.113.77", T0.AddHours(1), Severities.Low),
            Signal("r1-g2", "rule-1", "198.51.100.23", T0.AddMinutes(30), Severities.Low),
            Signal("r2-g1", "rule-2", "203.0.113.77", T0.AddHours(2), Severities.Low),
            Signal("r10-g1", "rule-10", "203.0.113.77", T0.AddHours(3), Severities.Low),
        ], CancellationToken.None);

        var latest = await _store.LatestByGroupAsync(TenantA, "rule-1", T0, null, CancellationToken.None);
        var recent = await _store.LatestByGroupAsync(TenantA, "rule-1", T0.AddMinutes(45), null, CancellationToken.None);

        Assert.Equal(["198.51.100.23=r1-g2", "203.0.113.77=r1-g1-new"], latest.Select(p => $"{p.Key}={p.Value.Id}").Order());
        Assert.Equal(["203.0.113.77=r1-g1-new"], recent.Select(p => $"{p.Key}={p.Value.Id}"));
        Assert.Equal(["203.0.113.77=r2-g1"], (await _store.LatestByGroupAsync(TenantA, "rule-2", Ever, null, CancellationToken.None)).Select(p => $"{p.Key}={p.Value.Id}"));
    }

    /// <summary>
    /// Asked for some groups, the store reads their signals (keys of any text: a separator of group values, a star, quotes,
    /// digits), not the rule's others; an empty key, which the index cannot ask for, reads every group.
    /// </summary>
    [Fact]
    public async Task LatestByGroupAsync_GroupKeys_ReadsThoseGroupsOnly()
    {
        string[] keys = ["203.0.113.77\u001froot", "a*b", "\"quoted\" (x)", "443", "198.51.100.23"];
        static SecuritySignal Keyed(string id, string key)
        {
            var signal = Signal(id, "rule-1", "203.0.113.77", T0, Severities.Low);
            signal.GroupKey = key;
            return signal;
        }
        await _store.UpsertAsync(TenantA, [.. keys.Select((k, i) => Keyed($"sig-{i}", k))], CancellationToken.None);
        await _store.UpsertAsync(TenantB, [Keyed("other", "443")], CancellationToken.None);

        var asked = await _store.LatestByGroupAsync(TenantA, "rule-1", Ever, ["203.0.113.77\u001froot", "a*b", "\"quoted\" (x)", "443", "absent"], CancellationToken.None);
        var all = await _store.LatestByGroupAsync(TenantA, "rule-1", Ever, ["a*b", ""], CancellationToken.None);

        Assert.Equal(["sig-0", "sig-1", "sig-2", "sig-3"], asked.Values.Select(s => s.Id).Order());
        Assert.Equal(5, all.Count);
    }

    [Fact]
    public async Task Store_TwoTenants_NeverSeeEachOthersSignals()
    {
        await _store.UpsertAsync(TenantA, [Signal("sig-a", "rule-1", "203.0.113.77", T0, Severities.High)], CancellationToken.None);
        await _store.UpsertAsync(TenantB, [Signal("sig-b", "rule-1", "203.0.113.77", T0, Severities.High)], CancellationToken.None);

        Assert.Null(await _store.GetAsync(TenantB, "sig-a", CancellationToken.None));
        Assert.NotNull(await _store.GetAsync(TenantA, "sig-a", CancellationToken.None));
        Assert.Equal(["sig-b"], (await SearchAsync(TenantB, "status:high")).Items.Select(s => s.Id));
        Assert.Equal(["sig-a"], (await _store.LatestByGroupAsync(TenantA, "rule-1", Ever, null, CancellationToken.None)).Values.Select(s => s.Id));
        Assert.Empty(await _store.LatestByGroupAsync(Guid.Parse("1c000000-0000-0000-0000-00000000001c"), "rule-1", Ever, null, CancellationToken.None));
    }

    [Fact]
    public async Task SearchAsync_MessagePattern_SearchesTitleAndMessageAsFreeTextDoes()
    {
        await _store.UpsertAsync(TenantA, [Signal("sig-1", "rule-1", "203.0.113.77", T0, Severities.High)], CancellationToken.None);
        await _store.UpsertAsync(TenantA, [Signal("sig-2", "rule-1", "198.51.100.9", T0.AddMinutes(1), Severities.High)], CancellationToken.None);

        Assert.Equal(["sig-1"], await IdsAsync(@"*brute\ force\ \(203.0.113.77\)*"));
        // The title and the message are one text, a line apart.
        Assert.Equal(["sig-2"], await IdsAsync(@"*\(198.51.100.9\)?198.51.100.9\ failed*"));
        Assert.Equal(["sig-2", "sig-1"], await IdsAsync(@"*too\ many\ times"));
    }

    [Fact]
    public async Task UpsertAsync_ThenReopen_SignalsAreDurable()
    {
        await _store.UpsertAsync(TenantA, [Signal("sig-1", "rule-1", "203.0.113.77", T0, Severities.Medium)], CancellationToken.None);
        _indexes.Dispose();

        using var reopened = new TenantIndexes(_directory.Path);
        var signal = await new LuceneSignalStore(reopened).GetAsync(TenantA, "sig-1", CancellationToken.None);

        Assert.Equal(("rule-1", Severities.Medium, "203.0.113.77"), (signal!.RuleId, signal.Severity, signal.GroupBy["@network.client.ip"]));
        Assert.Equal("root", signal.Attributes["usr"]!["name"]!.GetValue<string>());
    }

    private async Task<IEnumerable<string>> IdsAsync(string query) => (await SearchAsync(TenantA, query)).Items.Select(s => s.Id);

    private Task<EventPage<SecuritySignal>> SearchAsync(Guid tenant, string query) =>
        _store.SearchAsync(tenant, new SearchRequest(QueryParser.Parse(query), Ever, Never, Limit: 100), CancellationToken.None);

    private Task<LogAnalytics> AnalyzeAsync(Guid tenant, string query) =>
        _store.AnalyzeAsync(tenant, QueryParser.Parse(query), T0, T0.AddHours(2), TimeSpan.FromHours(1), TimeSpan.Zero, CancellationToken.None);

    private static SecuritySignal Signal(string id, string ruleId, string ip, DateTimeOffset at, string severity) => new()
    {
        Id = id,
        RuleId = ruleId,
        RuleName = "SSH brute force",
        Timestamp = at,
        Title = "SSH brute force (" + ip + ")",
        Message = ip + " failed to authenticate too many times",
        Severity = severity,
        Tags = ["source:ssh", "technique:T1110-brute-force"],
        GroupBy = new Dictionary<string, string> { ["@network.client.ip"] = ip },
        GroupKey = ip,
        FirstSeen = at,
        LastSeen = at,
        EventsMatched = 11,
        Attributes = new JsonObject
        {
            ["usr"] = new JsonObject { ["name"] = "root" },
            ["network"] = new JsonObject { ["client"] = new JsonObject { ["ip"] = ip } },
        },
    };
}
