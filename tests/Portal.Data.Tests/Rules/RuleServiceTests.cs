using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Rules;

namespace Portal.Data.Tests.Rules;

/// <summary>
/// A tenant's rules: every write is validated (errors carry JSON paths), updates bump the version and keep
/// the server-managed fields, and another tenant's rule ids lead nowhere.
/// </summary>
public abstract class RuleServiceTests(DataFixture fixture)
{
    private const string ValidJson = """
        {
          "name": "Many failed logins",
          "type": "log_detection",
          "isEnabled": true,
          "queries": [{ "name": "failed", "query": "source:sshd @evt.outcome:failure", "aggregation": "count", "groupByFields": ["@network.client.ip"] }],
          "cases": [{ "name": "many", "status": "medium", "condition": "failed > 10" }],
          "options": { "detectionMethod": "threshold", "evaluationWindow": 300, "keepAlive": 3600, "maxSignalDuration": 86400 },
          "message": "Too many failures from {{@network.client.ip}}.",
          "tags": ["source:ssh"]
        }
        """;

    private RuleService Rules => fixture.Services.GetRequiredService<RuleService>();

    [Fact]
    public async Task CreateAsync_InvalidRule_ReturnsErrorsWithJsonPathsAndStoresNothing()
    {
        var tenant = await fixture.AddTenantAsync();
        const string json = """
            {
              "name": "",
              "queries": [{ "query": "source:sshd", "aggregation": "median" }],
              "cases": [{ "status": "dire", "condition": "b > 1" }],
              "options": { "evaluationWindow": 42 }
            }
            """;

        var (rule, errors) = await Rules.CreateAsync(tenant.Id, json, userId: null);

        Assert.Null(rule);
        Assert.Equivalent(
            new[] { "$.name", "$.queries[0].aggregation", "$.cases[0].status", "$.cases[0].condition", "$.options.evaluationWindow" },
            errors.Select(e => e.Path).Distinct());
        Assert.Empty(await Rules.ListAsync(tenant.Id));
        await using var db = fixture.Dbs.Create(tenant.Id);
        Assert.Empty(await db.RuleRunStates.ToListAsync());
    }

    [Theory]
    [InlineData("{", "$")]
    [InlineData("[]", "$")]
    [InlineData("""{ "name": "x", "queries": "not a list" }""", "$.queries")]
    public async Task CreateAsync_MalformedJson_ReturnsErrorAtItsPath(string json, string path)
    {
        var tenant = await fixture.AddTenantAsync();

        var (rule, errors) = await Rules.CreateAsync(tenant.Id, json, userId: null);

        Assert.Null(rule);
        Assert.Equal(path, Assert.Single(errors).Path);
        Assert.Empty(await Rules.ListAsync(tenant.Id));
    }

    [Fact]
    public async Task CreateAsync_ValidRule_StoresVersion1WithARunStateStartingNow()
    {
        var tenant = await fixture.AddTenantAsync();
        var userId = Guid.NewGuid();
        // SQLite keeps times to the millisecond: the stored watermark may be truncated below a clock read just before.
        var before = DateTimeOffset.UtcNow.AddMilliseconds(-1);

        var (rule, errors) = await Rules.CreateAsync(tenant.Id, ValidJson, userId);

        Assert.Empty(errors);
        Assert.NotNull(rule);
        Assert.Matches("^[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}$", rule.Id);
        Assert.Equal(1, rule.Version);
        Assert.False(rule.IsDefault);
        await using var db = fixture.Dbs.Create(tenant.Id);
        var record = await db.Rules.SingleAsync(r => r.Id == rule.Id);
        var state = await db.RuleRunStates.SingleAsync(s => s.RuleId == rule.Id);
        Assert.Equal("Many failed logins", record.Name);
        Assert.Equal(userId, record.CreatedByUserId);
        Assert.InRange(state.Watermark, before, DateTimeOffset.UtcNow);
        Assert.Equal(record.CreatedAt, state.Watermark);
    }

    [Fact]
    public async Task UpdateAsync_ValidRule_BumpsVersionAndKeepsCreatedAtAndIsDefault()
    {
        var tenant = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(tenant.Id, ValidJson, userId: null, isDefault: true);
        // Server-managed fields in the request are ignored.
        var json = ValidJson
            .Replace("\"Many failed logins\"", "\"Renamed\"", StringComparison.Ordinal)
            .Replace("\"isEnabled\": true,", "\"isEnabled\": true, \"isDefault\": false, \"version\": 41, \"createdAt\": 1,", StringComparison.Ordinal);

        var (updated, errors) = await Rules.UpdateAsync(tenant.Id, created!.Id!, json);

        Assert.Empty(errors);
        Assert.NotNull(updated);
        Assert.Equal(2, updated.Version);
        Assert.True(updated.IsDefault);
        Assert.Equal(created.CreatedAt, updated.CreatedAt);
        var stored = await Rules.GetAsync(tenant.Id, created.Id!);
        Assert.NotNull(stored);
        Assert.Equal("Renamed", stored.Name);
        Assert.Equal(2, stored.Version);
        Assert.True(stored.IsDefault);
        Assert.Equal(created.CreatedAt, stored.CreatedAt);
    }

    [Fact]
    public async Task UpdateAsync_InvalidRule_ReturnsErrorsAndKeepsTheStoredRule()
    {
        var tenant = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(tenant.Id, ValidJson, userId: null);

        var (updated, errors) = await Rules.UpdateAsync(tenant.Id, created!.Id!, ValidJson.Replace("\"medium\"", "\"dire\"", StringComparison.Ordinal));

        Assert.Null(updated);
        Assert.Equal("$.cases[0].status", Assert.Single(errors).Path);
        var stored = await Rules.GetAsync(tenant.Id, created.Id!);
        Assert.Equal(1, stored!.Version);
        Assert.Equal("medium", stored.Cases[0].Status);
    }

    [Fact]
    public async Task UpdateAsync_AnotherTenantsRuleId_ReturnsNoRuleAndNoErrors()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(a.Id, ValidJson, userId: null);

        var (updated, errors) = await Rules.UpdateAsync(b.Id, created!.Id!, ValidJson.Replace("Many failed logins", "Hijacked", StringComparison.Ordinal));

        Assert.Null(updated);
        Assert.Empty(errors);
        Assert.Equal("Many failed logins", (await Rules.GetAsync(a.Id, created.Id!))!.Name);
    }

    [Fact]
    public async Task GetAsync_AnotherTenantsRuleId_ReturnsNull()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(a.Id, ValidJson, userId: null);

        Assert.Null(await Rules.GetAsync(b.Id, created!.Id!));
        Assert.NotNull(await Rules.GetAsync(a.Id, created.Id!));
    }

    [Fact]
    public async Task ListAsync_TwoTenants_ReturnsOnlyTheTenantsRulesByName()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        await Rules.CreateAsync(a.Id, ValidJson.Replace("Many failed logins", "Zulu", StringComparison.Ordinal), userId: null);
        await Rules.CreateAsync(a.Id, ValidJson.Replace("Many failed logins", "Alpha", StringComparison.Ordinal), userId: null);
        await Rules.CreateAsync(b.Id, ValidJson, userId: null);

        Assert.Equal(["Alpha", "Zulu"], (await Rules.ListAsync(a.Id)).Select(r => r.Name));
    }

    [Fact]
    public async Task SetEnabledAsync_Disable_StoresDisabledAsANewVersion()
    {
        var tenant = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(tenant.Id, ValidJson, userId: null);

        Assert.NotNull((await Rules.SetEnabledAsync(tenant.Id, created!.Id!, enabled: false)).Rule);

        var stored = await Rules.GetAsync(tenant.Id, created.Id!);
        Assert.False(stored!.IsEnabled);
        Assert.Equal(2, stored.Version);
    }

    /// <summary>
    /// A rule enabled again evaluates from then, as a new rule does: the days it was off (its signals muted) are not judged
    /// after the fact in one burst. A write that keeps it enabled leaves where it evaluated to as it was.
    /// </summary>
    [Fact]
    public async Task SetEnabledAsync_EnabledAgain_EvaluatesFromThen_NotTheTimeItWasOff()
    {
        var tenant = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(tenant.Id, ValidJson, userId: null);
        var id = created!.Id!;
        Assert.NotNull((await Rules.SetEnabledAsync(tenant.Id, id, enabled: false)).Rule);
        var longAgo = await EvaluatedUntilLongAgoAsync(tenant.Id, id);
        Task<DateTimeOffset> WatermarkAsync() => WatermarkOfAsync(tenant.Id, id);
        Assert.NotNull((await Rules.SetEnabledAsync(tenant.Id, id, enabled: false)).Rule);
        Assert.Equal(longAgo, await WatermarkAsync());

        var before = DateTimeOffset.UtcNow;
        Assert.NotNull((await Rules.SetEnabledAsync(tenant.Id, id, enabled: true)).Rule);

        var enabledFrom = await WatermarkAsync();
        Assert.InRange(enabledFrom, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.NotNull((await Rules.SetEnabledAsync(tenant.Id, id, enabled: true)).Rule);
        Assert.Equal(enabledFrom, await WatermarkAsync());
    }

    /// <summary>
    /// A single-event rule (judged as each batch is indexed) given a window is judged by the scheduler from then: the days
    /// since its creation, judged already, are not judged again in one burst.
    /// </summary>
    [Fact]
    public async Task UpdateAsync_SingleEventRuleGivenAWindow_EvaluatesFromThen()
    {
        var tenant = await fixture.AddTenantAsync();
        var singleEvent = ValidJson.Replace("\"evaluationWindow\": 300", "\"evaluationWindow\": 0", StringComparison.Ordinal).Replace("failed > 10", "failed > 0", StringComparison.Ordinal);
        var (created, _) = await Rules.CreateAsync(tenant.Id, singleEvent, userId: null);
        var id = created!.Id!;
        var longAgo = await EvaluatedUntilLongAgoAsync(tenant.Id, id);
        Task<DateTimeOffset> WatermarkAsync() => WatermarkOfAsync(tenant.Id, id);
        Assert.Empty((await Rules.MergeAsync(tenant.Id, id, new JsonObject { ["name"] = "Still single-event" })).Errors);
        Assert.Equal(longAgo, await WatermarkAsync());

        var before = DateTimeOffset.UtcNow;
        Assert.Empty((await Rules.UpdateAsync(tenant.Id, id, ValidJson)).Errors);

        Assert.InRange(await WatermarkAsync(), before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task SetEnabledAsync_AnotherTenantsRuleId_ReturnsFalse()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(a.Id, ValidJson, userId: null);

        Assert.False((await Rules.SetEnabledAsync(b.Id, created!.Id!, enabled: false)).Found);
        Assert.True((await Rules.GetAsync(a.Id, created.Id!))!.IsEnabled);
    }

    /// <summary>
    /// A stored rule that no longer passes validation (a check added since it was written, or an edit made in the database)
    /// is listed with its errors, read as it is or by its name alone, and hides none of the others.
    /// </summary>
    [Fact]
    public async Task ListAsync_StoredRulesNoLongerValid_ListedWithTheirErrors_TheOthersAsBefore()
    {
        var tenant = await fixture.AddTenantAsync();
        var (valid, _) = await Rules.CreateAsync(tenant.Id, ValidJson.Replace("Many failed logins", "Alpha", StringComparison.Ordinal), userId: null);
        var (outdated, _) = await Rules.CreateAsync(tenant.Id, ValidJson.Replace("Many failed logins", "Bravo", StringComparison.Ordinal), userId: null);
        var (unreadable, _) = await Rules.CreateAsync(tenant.Id, ValidJson.Replace("Many failed logins", "Charlie", StringComparison.Ordinal), userId: null);
        await StoreJsonAsync(tenant.Id, outdated!.Id!, ValidJson.Replace("Many failed logins", "Bravo", StringComparison.Ordinal).Replace("\"evaluationWindow\": 300", "\"evaluationWindow\": 42", StringComparison.Ordinal));
        await StoreJsonAsync(tenant.Id, unreadable!.Id!, """{ "name": "Charlie", "queries": "not a list" }""");
        // Items missing inside its lists: read by its name alone, as every reader of a rule takes its items for granted.
        var (holed, _) = await Rules.CreateAsync(tenant.Id, ValidJson.Replace("Many failed logins", "Delta", StringComparison.Ordinal), userId: null);
        await StoreJsonAsync(tenant.Id, holed!.Id!, ValidJson.Replace("Many failed logins", "Delta", StringComparison.Ordinal).Replace("\"tags\": [\"source:ssh\"]", "\"tags\": [null]", StringComparison.Ordinal));

        var listed = await Rules.ListAsync(tenant.Id);

        Assert.Equal(["Alpha", "Bravo", "Charlie", "Delta"], listed.Select(r => r.Name));
        Assert.Equal(["$.tags[0]"], listed[3].StoredErrors.Select(e => e.Path));
        Assert.Empty(listed[3].Tags);
        Assert.Empty(listed[3].Queries);
        Assert.Empty(listed[0].StoredErrors);
        Assert.Equal(["$.options.evaluationWindow"], listed[1].StoredErrors.Select(e => e.Path));
        Assert.Equal("source:sshd @evt.outcome:failure", Assert.Single(listed[1].Queries).Query);
        Assert.Equal(["$.queries"], listed[2].StoredErrors.Select(e => e.Path));
        Assert.Empty(listed[2].Queries);
        Assert.Equal(unreadable.Id, listed[2].Id);
        Assert.Equal(["$.options.evaluationWindow"], (await Rules.GetAsync(tenant.Id, outdated.Id!))!.StoredErrors.Select(e => e.Path));
        Assert.Empty((await Rules.GetAsync(tenant.Id, valid!.Id!))!.StoredErrors);
    }

    /// <summary>A rule that no longer passes validation can be turned off (its JSON kept as stored) but not on; an update corrects it.</summary>
    [Fact]
    public async Task StoredRuleNoLongerValid_TurnedOffNotOn_ThenCorrectedByAnUpdate()
    {
        var tenant = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(tenant.Id, ValidJson, userId: null);
        var id = created!.Id!;
        var outdated = ValidJson.Replace("\"evaluationWindow\": 300", "\"evaluationWindow\": 42", StringComparison.Ordinal);
        await StoreJsonAsync(tenant.Id, id, outdated);

        var off = await Rules.SetEnabledAsync(tenant.Id, id, enabled: false);

        Assert.False(off.Rule!.IsEnabled);
        Assert.Equal(outdated, await StoredJsonAsync(tenant.Id, id));
        var on = await Rules.SetEnabledAsync(tenant.Id, id, enabled: true);
        Assert.Null(on.Rule);
        Assert.Equal(["$.options.evaluationWindow"], on.Errors.Select(e => e.Path));
        Assert.False((await Rules.GetAsync(tenant.Id, id))!.IsEnabled);
        // Through the API's update too: turned off alone, it is written as the switch writes it; anything else is validated.
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            (await db.Rules.SingleAsync(r => r.Id == id)).IsEnabled = true;
            await db.SaveChangesAsync();
        }
        Assert.False((await Rules.MergeAsync(tenant.Id, id, new JsonObject { ["isEnabled"] = false })).Rule!.IsEnabled);
        Assert.False((await Rules.GetAsync(tenant.Id, id))!.IsEnabled);
        Assert.Equal(["$.options.evaluationWindow"], (await Rules.MergeAsync(tenant.Id, id, new JsonObject { ["isEnabled"] = false, ["name"] = "Renamed" })).Errors.Select(e => e.Path));
        Assert.Equal(outdated, await StoredJsonAsync(tenant.Id, id));
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            (await db.RuleRunStates.SingleAsync(s => s.RuleId == id)).LastError = "Not evaluated: the rule no longer passes validation.";
            await db.SaveChangesAsync();
        }

        var corrected = await Rules.MergeAsync(tenant.Id, id, new JsonObject
        {
            ["options"] = new JsonObject { ["detectionMethod"] = "threshold", ["evaluationWindow"] = 600, ["keepAlive"] = 3600, ["maxSignalDuration"] = 86400 },
            ["isEnabled"] = true,
        });

        Assert.Empty(corrected.Errors);
        var stored = (await Rules.GetAsync(tenant.Id, id))!;
        Assert.Empty(stored.StoredErrors);
        Assert.True(stored.IsEnabled);
        Assert.Equal(600, stored.Options.EvaluationWindow);
        Assert.Equal("Many failed logins", stored.Name);
        await using var read = fixture.Dbs.Create(tenant.Id);
        Assert.Null((await read.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == id)).LastError);
    }

    /// <summary>A merge that names the version it read is refused, and changes nothing, once the rule moved past it.</summary>
    [Fact]
    public async Task MergeAsync_VersionReadIsNotTheStoredOne_RefusedWithTheStoredVersion()
    {
        var tenant = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(tenant.Id, ValidJson, userId: null);
        var id = created!.Id!;
        Assert.NotNull((await Rules.SetEnabledAsync(tenant.Id, id, enabled: false)).Rule);

        var stale = await Rules.MergeAsync(tenant.Id, id, new JsonObject { ["name"] = "Renamed", ["version"] = 1 });
        var current = await Rules.MergeAsync(tenant.Id, id, new JsonObject { ["name"] = "Renamed", ["version"] = 2 });

        Assert.Equal(2, stale.StoredVersion);
        Assert.Null(stale.Rule);
        Assert.Equal("Renamed", current.Rule!.Name);
        Assert.Equal(3, current.Rule.Version);
        Assert.False(current.Rule.IsEnabled);
    }

    /// <summary>
    /// A write that another one overtook between its read and its save (a switch on the rules page and an update through the
    /// API) does not undo it: the version is the row's concurrency token, and the change is made again of the rule stored.
    /// </summary>
    [Fact]
    public async Task WriteAsync_AnotherWriteBetweenItsReadAndItsSave_IsKept_TheChangeMadeOfIt()
    {
        var tenant = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(tenant.Id, ValidJson, userId: null);
        var id = created!.Id!;
        var reads = 0;

        var written = await Rules.WriteAsync(tenant.Id, id, expectedVersion: null, record =>
        {
            if (++reads == 1)
            {
                Assert.Equal("Renamed meanwhile", Rules.MergeAsync(tenant.Id, id, new JsonObject { ["name"] = "Renamed meanwhile" }).GetAwaiter().GetResult().Rule!.Name);
            }
            var rule = RuleService.ToRule(record);
            rule.IsEnabled = false;
            return (rule, []);
        }, CancellationToken.None);

        Assert.Equal(2, reads);
        var stored = (await Rules.GetAsync(tenant.Id, id))!;
        Assert.Equal("Renamed meanwhile", stored.Name);
        Assert.False(stored.IsEnabled);
        Assert.Equal(3, stored.Version);
        Assert.Equal(3, written.Rule!.Version);
    }

    /// <summary>Sets the rule's run state as evaluated up to three days ago (in whole seconds, what every database keeps exactly), returned.</summary>
    private async Task<DateTimeOffset> EvaluatedUntilLongAgoAsync(Guid tenantId, string id)
    {
        var longAgo = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(-3).ToUnixTimeSeconds());
        await using var db = fixture.Dbs.Create(tenantId);
        (await db.RuleRunStates.SingleAsync(s => s.RuleId == id)).Watermark = longAgo;
        await db.SaveChangesAsync();
        return longAgo;
    }

    private async Task<DateTimeOffset> WatermarkOfAsync(Guid tenantId, string id)
    {
        await using var db = fixture.Dbs.Create(tenantId);
        return (await db.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == id)).Watermark;
    }

    private async Task StoreJsonAsync(Guid tenantId, string id, string json)
    {
        await using var db = fixture.Dbs.Create(tenantId);
        (await db.Rules.SingleAsync(r => r.Id == id)).Json = json;
        await db.SaveChangesAsync();
    }

    private async Task<string> StoredJsonAsync(Guid tenantId, string id)
    {
        await using var db = fixture.Dbs.Create(tenantId);
        return (await db.Rules.AsNoTracking().SingleAsync(r => r.Id == id)).Json;
    }

    [Fact]
    public async Task DeleteAsync_OwnRule_RemovesTheRuleAndItsRunState()
    {
        var tenant = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(tenant.Id, ValidJson, userId: null);

        Assert.True(await Rules.DeleteAsync(tenant.Id, created!.Id!));

        Assert.Null(await Rules.GetAsync(tenant.Id, created.Id!));
        await using var db = fixture.Dbs.Create(tenant.Id);
        Assert.False(await db.RuleRunStates.AnyAsync(s => s.RuleId == created.Id));
    }

    [Fact]
    public async Task DeleteAsync_AnotherTenantsRuleId_ReturnsFalseAndKeepsIt()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(a.Id, ValidJson, userId: null);

        Assert.False(await Rules.DeleteAsync(b.Id, created!.Id!));

        Assert.NotNull(await Rules.GetAsync(a.Id, created.Id!));
        await using var db = fixture.Dbs.Create(a.Id);
        Assert.True(await db.RuleRunStates.AnyAsync(s => s.RuleId == created.Id));
    }
}

/// <summary>The tests above on SQLite, the embedded default.</summary>
public sealed class RuleServiceTestsOnSqlite(SqliteDataFixture fixture) : RuleServiceTests(fixture), IClassFixture<SqliteDataFixture>;

/// <summary>The tests above on PostgreSQL, the production database.</summary>
public sealed class RuleServiceTestsOnPostgres(PostgresDataFixture fixture) : RuleServiceTests(fixture), IClassFixture<PostgresDataFixture>;
