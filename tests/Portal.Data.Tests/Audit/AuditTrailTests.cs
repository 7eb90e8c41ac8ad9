using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Audit;
using Portal.Data.Identity;

namespace Portal.Data.Tests.Audit;

/// <summary>
/// The audit trail: stored changes to audited objects are recorded by the context in the same save, with the acting
/// member, the audited fields before and after, and nothing secret; entries cannot be changed or deleted; each
/// organisation reads only its own trail.
/// </summary>
public abstract class AuditTrailTests(DataFixture fixture)
{
    private static readonly AuditActor Alice = new(AuditActorTypes.User, Guid.NewGuid(), "alice@acme.test", "198.51.100.4");

    private AuditLog Audit => fixture.Services.GetRequiredService<AuditLog>();

    [Fact]
    public async Task SaveChanges_RuleCreatedAndRenamed_RecordsActorAndBeforeAfterInTheSameSave()
    {
        var tenant = await fixture.AddTenantAsync();
        var rule = Entities.Rule(tenant.Id, "Old name");
        AuditActor.Current = Alice;
        try
        {
            await using (var db = fixture.Dbs.Create(tenant.Id))
            {
                db.Rules.Add(rule);
                await db.SaveChangesAsync();
                rule.Name = "New name";
                await db.SaveChangesAsync();
            }
        }
        finally
        {
            AuditActor.Current = null;
        }

        var entries = await EntriesAsync(tenant.Id);
        Assert.Equal(["rule.created", "rule.updated"], entries.Select(e => e.Action));
        var updated = entries[1];
        Assert.Equal(("user", Alice.Id, "alice@acme.test", "198.51.100.4"), (updated.ActorType, updated.ActorId, updated.ActorName, updated.Ip));
        Assert.Equal((rule.Id, "New name"), (updated.TargetId, updated.TargetName));
        Assert.Equal("Old name", JsonNode.Parse(updated.Before!)!["name"]!.GetValue<string>());
        Assert.Equal("New name", JsonNode.Parse(updated.After!)!["name"]!.GetValue<string>());
        Assert.Null(entries[0].Before);
    }

    [Fact]
    public async Task SaveChanges_WithoutAnActor_IsRecordedAsTheSystem()
    {
        var tenant = await fixture.AddTenantAsync();
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            db.Rules.Add(Entities.Rule(tenant.Id));
            await db.SaveChangesAsync();
        }

        var entry = Assert.Single(await EntriesAsync(tenant.Id));
        Assert.Equal((AuditActorTypes.System, "system"), (entry.ActorType, entry.ActorName));
    }

    [Fact]
    public async Task SaveChanges_BookkeepingFieldsOnly_RecordsNothing()
    {
        var tenant = await fixture.AddTenantAsync();
        var user = Entities.User(tenant.Id);
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            db.Users.Add(user);
            await db.SaveChangesAsync();
            user.AccessFailedCount = 3;
            user.LastSignInAt = DateTimeOffset.UtcNow;
            user.SecurityStamp = Guid.NewGuid().ToString("N");
            await db.SaveChangesAsync();
        }

        Assert.Equal(["member.created"], (await EntriesAsync(tenant.Id)).Select(e => e.Action));
    }

    [Fact]
    public async Task SaveChanges_RoleChangeAndKeyRevocation_NamedVerbsAndNoSecrets()
    {
        var tenant = await fixture.AddTenantAsync();
        var user = Entities.User(tenant.Id);
        var key = Entities.Key(tenant.Id);
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            db.Users.Add(user);
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
            user.Role = VigilRoles.Admin;
            key.RevokedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync();
        }

        var entries = await EntriesAsync(tenant.Id);
        var role = Assert.Single(entries, e => e.Action == "member.role_changed");
        Assert.Equal(VigilRoles.Standard, JsonNode.Parse(role.Before!)!["role"]!.GetValue<string>());
        Assert.Equal(VigilRoles.Admin, JsonNode.Parse(role.After!)!["role"]!.GetValue<string>());
        Assert.Contains(entries, e => e.Action == "api_key.revoked" && e.TargetName == key.Name);
        Assert.All(entries, e => Assert.DoesNotContain(key.Hash, (e.Before ?? "") + e.After, StringComparison.Ordinal));
        Assert.All(entries, e => Assert.DoesNotContain(user.SecurityStamp!, (e.Before ?? "") + e.After, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SaveChanges_AnEntryModifiedOrDeleted_IsRefusedAndKept()
    {
        var tenant = await fixture.AddTenantAsync();
        await Audit.RecordAsync(tenant.Id, new AuditRecord("signal.triaged", "signal", "s1", "Brute force"));

        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            var entry = await db.AuditEntries.SingleAsync(e => e.TargetId == "s1");
            entry.ActorName = "someone else";
            Assert.Throws<InvalidOperationException>(() => db.SaveChanges());
        }
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            db.AuditEntries.Remove(await db.AuditEntries.SingleAsync(e => e.TargetId == "s1"));
            await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        }

        Assert.Equal("system", Assert.Single(await EntriesAsync(tenant.Id)).ActorName);
    }

    [Fact]
    public async Task SaveChanges_FailedSave_LeavesNoEntry()
    {
        var tenant = await fixture.AddTenantAsync();
        var rule = Entities.Rule(tenant.Id);
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            db.Rules.Add(rule);
            await db.SaveChangesAsync();
        }
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            // Same key: the insert fails, and the audit entry written with it must not survive.
            var duplicate = Entities.Rule(tenant.Id);
            duplicate.Id = rule.Id;
            db.Rules.Add(duplicate);
            await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }

        Assert.Equal(["rule.created"], (await EntriesAsync(tenant.Id)).Select(e => e.Action));
    }

    [Fact]
    public async Task ReadAsync_OtherOrganisation_SeesNoneOfItsEntries()
    {
        var a = await fixture.AddTenantAsync("Alpha");
        var b = await fixture.AddTenantAsync("Bravo");
        await Audit.RecordAsync(a.Id, new AuditRecord("signal.triaged", "signal", "alpha-signal", "Alpha only"));

        var page = await Audit.ReadAsync(b.Id, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1), null, 100, null);

        Assert.DoesNotContain(page.Entries, e => e.TargetId == "alpha-signal");
        await using var db = fixture.Dbs.Create(b.Id);
        Assert.False(await db.AuditEntries.AnyAsync(e => e.TenantId == a.Id));
    }

    [Fact]
    public async Task ReadAsync_Pages_NewestFirstWithoutGapsOrRepeats()
    {
        var tenant = await fixture.AddTenantAsync();
        for (var i = 0; i < 5; i++)
        {
            await Audit.RecordAsync(tenant.Id, new AuditRecord("signal.triaged", "signal", $"s{i}"));
        }
        var (from, to) = (DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Func<AuditEntry, bool> odd = e => e.TargetId is "s1" or "s3" or "s4";

        var first = await Audit.ReadAsync(tenant.Id, from, to, odd, 2, null);
        await Audit.RecordAsync(tenant.Id, new AuditRecord("signal.triaged", "signal", "s4"));
        var second = await Audit.ReadAsync(tenant.Id, from, to, odd, 2, first.NextCursor);

        Assert.Equal(["s4", "s3"], first.Entries.Select(e => e.TargetId));
        Assert.Equal(["s1"], second.Entries.Select(e => e.TargetId));
        Assert.Null(second.NextCursor);
    }

    /// <summary>A bulk action's entries are stored together, each its own entry, and read back newest first in their order.</summary>
    [Fact]
    public async Task RecordAllAsync_EntriesStoredTogetherInOrder()
    {
        var tenant = await fixture.AddTenantAsync();

        await Audit.RecordAllAsync(tenant.Id, [.. Enumerable.Range(0, 3).Select(i => new AuditRecord("signal.triaged", "signal", $"bulk-{i}") { After = new { state = "archived" } })]);
        await Audit.RecordAllAsync(tenant.Id, []);

        var entries = await EntriesAsync(tenant.Id);
        Assert.Equal(["bulk-0", "bulk-1", "bulk-2"], entries.Select(e => e.TargetId));
        Assert.InRange(entries[^1].At - entries[0].At, TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        Assert.All(entries, e => Assert.Equal("""{"state":"archived"}""", e.After));
        var page = await Audit.ReadAsync(tenant.Id, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1), e => e.Action == "signal.triaged", 10, null);
        Assert.Equal(["bulk-2", "bulk-1", "bulk-0"], page.Entries.Select(e => e.TargetId));
    }

    private async Task<List<AuditEntry>> EntriesAsync(Guid tenantId)
    {
        await using var db = fixture.Dbs.Create(tenantId);
        // The organisation's own creation opens every trail; these tests look at what follows.
        return (await db.AuditEntries.AsNoTracking().Where(e => e.Action != "organisation.created").ToListAsync()).OrderBy(e => e.At).ThenBy(e => e.Id).ToList();
    }
}

/// <summary>The tests above on SQLite, the embedded default.</summary>
public sealed class AuditTrailTestsOnSqlite(SqliteDataFixture fixture) : AuditTrailTests(fixture), IClassFixture<SqliteDataFixture>;

/// <summary>The tests above on PostgreSQL, the production database.</summary>
public sealed class AuditTrailTestsOnPostgres(PostgresDataFixture fixture) : AuditTrailTests(fixture), IClassFixture<PostgresDataFixture>;
