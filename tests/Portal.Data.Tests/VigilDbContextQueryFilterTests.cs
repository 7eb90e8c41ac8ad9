using Microsoft.EntityFrameworkCore;
using Portal.Data.Tenancy;

namespace Portal.Data.Tests;

/// <summary>
/// Reads are isolated by the named <see cref="VigilDbContext.TenantFilter"/> query filter: a context sees the
/// tenant-owned rows of its own tenant only, and a context without a tenant sees none.
/// </summary>
public abstract class VigilDbContextQueryFilterTests(DataFixture fixture)
{
    private sealed record Seeded(Guid TenantId, string RuleId, Guid KeyId, Guid UserId);

    [Fact]
    public void Model_EveryTenantOwnedEntity_CarriesTheTenantFilter()
    {
        using var db = fixture.Dbs.Create(null);

        var owned = db.Model.GetEntityTypes().Where(t => typeof(ITenantOwned).IsAssignableFrom(t.ClrType)).ToList();

        Assert.NotEmpty(owned);
        Assert.All(owned, t => Assert.NotNull(t.FindDeclaredQueryFilter(VigilDbContext.TenantFilter)));
    }

    [Fact]
    public async Task Query_OwnTenant_SeesItsData()
    {
        var a = await SeedAsync();

        await using var db = fixture.Dbs.Create(a.TenantId);

        Assert.True(await db.Rules.AnyAsync(r => r.Id == a.RuleId));
        Assert.True(await db.RuleRunStates.AnyAsync(s => s.RuleId == a.RuleId));
        Assert.True(await db.ApiKeys.AnyAsync(k => k.Id == a.KeyId));
        Assert.True(await db.Users.AnyAsync(u => u.Id == a.UserId));
    }

    [Fact]
    public async Task Query_AnotherTenant_SeesNoneOfTheData()
    {
        var a = await SeedAsync();
        var b = await SeedAsync();

        await using var db = fixture.Dbs.Create(b.TenantId);

        Assert.False(await db.Rules.AnyAsync(r => r.Id == a.RuleId));
        Assert.False(await db.RuleRunStates.AnyAsync(s => s.RuleId == a.RuleId));
        Assert.False(await db.ApiKeys.AnyAsync(k => k.Id == a.KeyId));
        Assert.False(await db.Users.AnyAsync(u => u.Id == a.UserId));
        Assert.Null(await db.ApiKeys.FindAsync(a.KeyId));
        Assert.All(await db.Rules.ToListAsync(), r => Assert.Equal(b.TenantId, r.TenantId));
    }

    [Fact]
    public async Task Query_NoTenant_SeesNoTenantOwnedData()
    {
        await SeedAsync();

        await using var db = fixture.Dbs.Create(null);

        Assert.Empty(await db.Rules.ToListAsync());
        Assert.Empty(await db.RuleRunStates.ToListAsync());
        Assert.Empty(await db.ApiKeys.ToListAsync());
        Assert.Empty(await db.Users.ToListAsync());
        // Organisations themselves are instance-level data, visible for sign-in and sign-up.
        Assert.NotEmpty(await db.Tenants.ToListAsync());
    }

    /// <summary>
    /// Ignoring the filter by name is the only way to read across tenants; it is meant for instance-level
    /// lookups such as resolving a key by its secret (<c>KeyService.ResolveAsync</c>), never for pages.
    /// </summary>
    [Fact]
    public async Task IgnoreQueryFilters_TenantFilter_SeesEveryTenant()
    {
        var a = await SeedAsync();
        var b = await SeedAsync();

        await using var db = fixture.Dbs.Create(b.TenantId);
        var rules = await db.Rules.IgnoreQueryFilters([VigilDbContext.TenantFilter])
            .Where(r => r.Id == a.RuleId || r.Id == b.RuleId)
            .Select(r => r.TenantId)
            .ToListAsync();
        var users = await db.Users.IgnoreQueryFilters([VigilDbContext.TenantFilter])
            .Where(u => u.Id == a.UserId || u.Id == b.UserId)
            .Select(u => u.TenantId)
            .ToListAsync();

        Assert.Equivalent(new[] { a.TenantId, b.TenantId }, rules);
        Assert.Equivalent(new[] { a.TenantId, b.TenantId }, users);
    }

    private async Task<Seeded> SeedAsync()
    {
        var tenant = await fixture.AddTenantAsync();
        var rule = Entities.Rule();
        var key = Entities.Key();
        var user = Entities.User();
        await using var db = fixture.Dbs.Create(tenant.Id);
        db.AddRange(rule, Entities.RunState(rule.Id), key, user);
        await db.SaveChangesAsync();
        return new Seeded(tenant.Id, rule.Id, key.Id, user.Id);
    }
}

/// <summary>The tests above on SQLite, the embedded default.</summary>
public sealed class VigilDbContextQueryFilterTestsOnSqlite(SqliteDataFixture fixture) : VigilDbContextQueryFilterTests(fixture), IClassFixture<SqliteDataFixture>;

/// <summary>The tests above on PostgreSQL, the production database.</summary>
public sealed class VigilDbContextQueryFilterTestsOnPostgres(PostgresDataFixture fixture) : VigilDbContextQueryFilterTests(fixture), IClassFixture<PostgresDataFixture>;
