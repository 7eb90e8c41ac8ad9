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

        Assert.True(await Rules.SetEnabledAsync(tenant.Id, created!.Id!, enabled: false));

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
        Assert.True(await Rules.SetEnabledAsync(tenant.Id, id, enabled: false));
        // Whole seconds: what every database keeps exactly.
        var longAgo = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(-3).ToUnixTimeSeconds());
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            (await db.RuleRunStates.SingleAsync(s => s.RuleId == id)).Watermark = longAgo;
            await db.SaveChangesAsync();
        }
        async Task<DateTimeOffset> WatermarkAsync()
        {
            await using var db = fixture.Dbs.Create(tenant.Id);
            return (await db.RuleRunStates.AsNoTracking().SingleAsync(s => s.RuleId == id)).Watermark;
        }
        Assert.True(await Rules.SetEnabledAsync(tenant.Id, id, enabled: false));
        Assert.Equal(longAgo, await WatermarkAsync());

        var before = DateTimeOffset.UtcNow;
        Assert.True(await Rules.SetEnabledAsync(tenant.Id, id, enabled: true));

        var enabledFrom = await WatermarkAsync();
        Assert.InRange(enabledFrom, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.True(await Rules.SetEnabledAsync(tenant.Id, id, enabled: true));
        Assert.Equal(enabledFrom, await WatermarkAsync());
    }

    [Fact]
    public async Task SetEnabledAsync_AnotherTenantsRuleId_ReturnsFalse()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var (created, _) = await Rules.CreateAsync(a.Id, ValidJson, userId: null);

        Assert.False(await Rules.SetEnabledAsync(b.Id, created!.Id!, enabled: false));
        Assert.True((await Rules.GetAsync(a.Id, created.Id!))!.IsEnabled);
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
