using Microsoft.EntityFrameworkCore;
using Portal.Data.Rules;
using Portal.Data.Tenancy;

namespace Portal.Data.Tests;

/// <summary>
/// Writes are isolated by <c>SaveChanges</c>: it refuses tenant-owned changes without a current tenant or for
/// another tenant, refuses them as a whole (nothing of the batch is stored), and stamps new entities with the
/// current tenant when they carry none.
/// </summary>
public abstract class VigilDbContextSaveChangesTests(DataFixture fixture)
{
    [Fact]
    public async Task SaveChangesAsync_AddWithoutCurrentTenant_ThrowsAndStoresNothing()
    {
        var a = await fixture.AddTenantAsync();
        var rule = Entities.Rule(a.Id);

        await using (var db = fixture.Dbs.Create(null))
        {
            db.Rules.Add(rule);
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        Assert.False(await RuleExistsAsync(rule.Id));
    }

    [Fact]
    public async Task SaveChanges_AddWithoutCurrentTenant_ThrowsAndStoresNothing()
    {
        var a = await fixture.AddTenantAsync();
        var rule = Entities.Rule(a.Id);

        await using (var db = fixture.Dbs.Create(null))
        {
            db.Rules.Add(rule);
            Assert.Throws<TenantIsolationException>(() => db.SaveChanges());
        }

        Assert.False(await RuleExistsAsync(rule.Id));
    }

    [Fact]
    public async Task SaveChangesAsync_AddForAnotherTenant_ThrowsAndStoresNothing()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var rule = Entities.Rule(a.Id);

        await using (var db = fixture.Dbs.Create(b.Id))
        {
            db.Rules.Add(rule);
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        Assert.False(await RuleExistsAsync(rule.Id));
    }

    [Fact]
    public async Task SaveChangesAsync_OneEntityOfAnotherTenantInTheBatch_StoresNoneOfTheBatch()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var own = Entities.Rule(b.Id);
        var foreign = Entities.Rule(a.Id);

        await using (var db = fixture.Dbs.Create(b.Id))
        {
            db.Rules.AddRange(own, foreign);
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        Assert.False(await RuleExistsAsync(own.Id));
        Assert.False(await RuleExistsAsync(foreign.Id));
    }

    [Fact]
    public async Task SaveChangesAsync_ModifyAnotherTenantsEntityLoadedIgnoringFilter_ThrowsAndStoresNothing()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var rule = await AddRuleAsync(a.Id, "Original name");

        await using (var db = fixture.Dbs.Create(b.Id))
        {
            var loaded = await db.Rules.IgnoreQueryFilters([VigilDbContext.TenantFilter]).SingleAsync(r => r.Id == rule.Id);
            loaded.Name = "Renamed by another tenant";
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        await using var check = fixture.Dbs.Create(a.Id);
        Assert.Equal("Original name", (await check.Rules.SingleAsync(r => r.Id == rule.Id)).Name);
    }

    [Fact]
    public async Task SaveChangesAsync_DeleteAnotherTenantsEntityLoadedIgnoringFilter_ThrowsAndKeepsIt()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var rule = await AddRuleAsync(a.Id);

        await using (var db = fixture.Dbs.Create(b.Id))
        {
            var loaded = await db.Rules.IgnoreQueryFilters([VigilDbContext.TenantFilter]).SingleAsync(r => r.Id == rule.Id);
            db.Rules.Remove(loaded);
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        Assert.True(await RuleExistsAsync(rule.Id));
    }

    [Fact]
    public async Task SaveChangesAsync_MoveOwnEntityToAnotherTenant_ThrowsAndKeepsItsTenant()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var key = Entities.Key(a.Id);
        await using (var db = fixture.Dbs.Create(a.Id))
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
        }

        await using (var db = fixture.Dbs.Create(a.Id))
        {
            var loaded = await db.ApiKeys.SingleAsync(k => k.Id == key.Id);
            loaded.TenantId = b.Id;
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        await using var check = fixture.Dbs.Create(a.Id);
        Assert.True(await check.ApiKeys.AnyAsync(k => k.Id == key.Id));
    }

    [Fact]
    public async Task SaveChangesAsync_ClaimAnotherTenantsEntityLoadedIgnoringFilter_ThrowsAndKeepsItsTenant()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var key = Entities.Key(a.Id);
        await using (var db = fixture.Dbs.Create(a.Id))
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
        }

        await using (var db = fixture.Dbs.Create(b.Id))
        {
            // The entity now names the current tenant; what it was loaded as is what counts.
            var loaded = await db.ApiKeys.IgnoreQueryFilters([VigilDbContext.TenantFilter]).SingleAsync(k => k.Id == key.Id);
            loaded.TenantId = b.Id;
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }

        await using var check = fixture.Dbs.Create(a.Id);
        Assert.True(await check.ApiKeys.AnyAsync(k => k.Id == key.Id));
    }

    [Fact]
    public async Task SaveChangesAsync_AddWithEmptyTenantId_FillsTheCurrentTenant()
    {
        var a = await fixture.AddTenantAsync();
        var rule = Entities.Rule(Guid.Empty);

        await using (var db = fixture.Dbs.Create(a.Id))
        {
            db.Rules.Add(rule);
            db.RuleRunStates.Add(Entities.RunState(rule.Id, Guid.Empty));
            await db.SaveChangesAsync();
        }

        await using var check = fixture.Dbs.Create(a.Id);
        Assert.Equal(a.Id, (await check.Rules.SingleAsync(r => r.Id == rule.Id)).TenantId);
        Assert.Equal(a.Id, (await check.RuleRunStates.SingleAsync(s => s.RuleId == rule.Id)).TenantId);
    }

    [Fact]
    public async Task SaveChangesAsync_ModifyOwnEntity_Stores()
    {
        var a = await fixture.AddTenantAsync();
        var rule = await AddRuleAsync(a.Id, "Before");

        await using (var db = fixture.Dbs.Create(a.Id))
        {
            (await db.Rules.SingleAsync(r => r.Id == rule.Id)).Name = "After";
            await db.SaveChangesAsync();
        }

        await using var check = fixture.Dbs.Create(a.Id);
        Assert.Equal("After", (await check.Rules.SingleAsync(r => r.Id == rule.Id)).Name);
    }

    private async Task<RuleRecord> AddRuleAsync(Guid tenantId, string name = "Test rule")
    {
        var rule = Entities.Rule(tenantId, name);
        await using var db = fixture.Dbs.Create(tenantId);
        db.Rules.Add(rule);
        await db.SaveChangesAsync();
        return rule;
    }

    private async Task<bool> RuleExistsAsync(string ruleId)
    {
        await using var db = fixture.Dbs.Create(null);
        return await db.Rules.IgnoreQueryFilters([VigilDbContext.TenantFilter]).AnyAsync(r => r.Id == ruleId);
    }
}

/// <summary>The tests above on SQLite, the embedded default.</summary>
public sealed class VigilDbContextSaveChangesTestsOnSqlite(SqliteDataFixture fixture) : VigilDbContextSaveChangesTests(fixture), IClassFixture<SqliteDataFixture>;

/// <summary>The tests above on PostgreSQL, the production database.</summary>
public sealed class VigilDbContextSaveChangesTestsOnPostgres(PostgresDataFixture fixture) : VigilDbContextSaveChangesTests(fixture), IClassFixture<PostgresDataFixture>;
