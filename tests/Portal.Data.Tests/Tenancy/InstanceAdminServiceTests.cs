using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Data.Tenancy;

namespace Portal.Data.Tests.Tenancy;

/// <summary>Instance administration: usage counts per organisation, disabling with a reason in the trail, and the administrator flag.</summary>
public abstract class InstanceAdminServiceTests(DataFixture fixture)
{
    private InstanceAdminService Admin => fixture.Services.GetRequiredService<InstanceAdminService>();

    [Fact]
    public async Task DisableAsync_Reason_SetsDisabledAtAndRecordsTheReasonInTheOrganisationsTrail()
    {
        var tenant = await fixture.AddTenantAsync();
        var other = await fixture.AddTenantAsync();

        Assert.Null(await Admin.DisableAsync(tenant.Id, "  unpaid invoices  "));

        await using var db = fixture.Dbs.Create(tenant.Id);
        Assert.NotNull((await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenant.Id)).DisabledAt);
        Assert.Null((await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == other.Id)).DisabledAt);
        var entry = await db.AuditEntries.AsNoTracking().SingleAsync(e => e.Action == "organisation.disabled");
        Assert.Equal("Disabled by an instance administrator: unpaid invoices", entry.Message);
        Assert.Contains("\"disabled_at\":null", entry.Before, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnableAsync_DisabledOrganisation_ClearsDisabledAtAndRecordsIt()
    {
        var tenant = await fixture.AddTenantAsync();
        Assert.Null(await Admin.DisableAsync(tenant.Id, "test"));

        Assert.Null(await Admin.EnableAsync(tenant.Id));

        await using var db = fixture.Dbs.Create(tenant.Id);
        Assert.Null((await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenant.Id)).DisabledAt);
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.Action == "organisation.enabled"));
    }

    [Fact]
    public async Task DisableAsync_UnknownOrganisation_ReturnsAnError()
    {
        Assert.NotNull(await Admin.DisableAsync(Guid.NewGuid(), null));
    }

    [Fact]
    public async Task ListAsync_CountsMembersRulesAndLiveApiKeysPerOrganisation()
    {
        var tenant = await fixture.AddTenantAsync();
        var keys = fixture.Services.GetRequiredService<KeyService>();
        var (revoked, _) = await keys.CreateAsync(tenant.Id, KeyKind.Api, "old", userId: null);
        await keys.CreateAsync(tenant.Id, KeyKind.Api, "live", userId: null);
        await keys.RevokeAsync(tenant.Id, revoked.Id);
        await using (var scope = fixture.TenantScope(tenant.Id))
        {
            var email = DataFixture.UniqueEmail();
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<VigilUser>>();
            Assert.True((await users.CreateAsync(new VigilUser { TenantId = tenant.Id, UserName = email, Email = email }, "Correct-Horse-42")).Succeeded);
        }

        var usage = Assert.Single(await Admin.ListAsync(), u => u.Id == tenant.Id);

        Assert.Equal((1, 1, 0, 0), (usage.Members, usage.ApiKeys, usage.Rules, usage.OpenSignals));
        Assert.Null(usage.DisabledAt);
    }

    /// <summary>The days of logs an organisation keeps (its index's day partitions) and its bytes on disk are its own.</summary>
    [Fact]
    public async Task ListAsync_CountsTheDaysOfLogsKeptPerOrganisation()
    {
        var (tenant, other) = (await fixture.AddTenantAsync(), await fixture.AddTenantAsync());
        var logs = fixture.Services.GetRequiredService<Portal.Search.ILogStore>();
        // Noon and eleven of one day, noon of the day before: two UTC days whatever the hour the test runs.
        var yesterday = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1), TimeSpan.Zero);
        Portal.Detection.Events.LogEvent Log(DateTimeOffset at) => new() { Id = Portal.Detection.Intake.EventIds.New(at), Timestamp = at, Message = "Accepted publickey for deploy" };
        await logs.AppendAsync(tenant.Id, [Log(yesterday.AddHours(12)), Log(yesterday.AddHours(11)), Log(yesterday.AddDays(-1).AddHours(12))], CancellationToken.None);
        await logs.RefreshAsync(tenant.Id, CancellationToken.None);

        var usage = await Admin.ListAsync();

        var (ours, theirs) = (usage.Single(u => u.Id == tenant.Id), usage.Single(u => u.Id == other.Id));
        Assert.Equal((2, 0), (ours.LogDays, theirs.LogDays));
        Assert.True(ours.BytesOnDisk > 0);
        Assert.NotNull(ours.LastLogWrite);
        Assert.Equal((0L, null), (theirs.BytesOnDisk, theirs.LastLogWrite));
    }

    [Fact]
    public async Task ListAsync_DisabledOrganisation_CarriesTheLatestReason()
    {
        var tenant = await fixture.AddTenantAsync();
        Assert.Null(await Admin.DisableAsync(tenant.Id, "first"));
        Assert.Null(await Admin.EnableAsync(tenant.Id));
        Assert.Null(await Admin.DisableAsync(tenant.Id, "second"));

        var usage = Assert.Single(await Admin.ListAsync(), u => u.Id == tenant.Id);

        Assert.NotNull(usage.DisabledAt);
        Assert.Equal("Disabled by an instance administrator: second", usage.DisabledReason);
    }

    [Fact]
    public async Task SetInstanceAdminAsync_MemberBySlugAndEmail_GrantsAndRevokes()
    {
        var tenant = await fixture.AddTenantAsync();
        var email = DataFixture.UniqueEmail("Admin");
        Guid userId;
        await using (var scope = fixture.TenantScope(tenant.Id))
        {
            var user = new VigilUser { TenantId = tenant.Id, UserName = email, Email = email };
            Assert.True((await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<VigilUser>>().CreateAsync(user, "Correct-Horse-42")).Succeeded);
            userId = user.Id;
        }

        Assert.Null(await Admin.SetInstanceAdminAsync(tenant.Slug.ToUpperInvariant(), email.ToLowerInvariant(), isAdmin: true));
        Assert.True(await Admin.IsInstanceAdminAsync(tenant.Id, userId));

        Assert.Null(await Admin.SetInstanceAdminAsync(tenant.Slug, email, isAdmin: false));
        Assert.False(await Admin.IsInstanceAdminAsync(tenant.Id, userId));
        Assert.Contains("has no member", await Admin.SetInstanceAdminAsync(tenant.Slug, "nobody@example.com", isAdmin: true), StringComparison.Ordinal);
        Assert.Contains("no organisation", await Admin.SetInstanceAdminAsync("no-such-org", email, isAdmin: true), StringComparison.Ordinal);
    }
}

/// <summary>The tests above on SQLite, the embedded default.</summary>
public sealed class InstanceAdminServiceTestsOnSqlite(SqliteDataFixture fixture) : InstanceAdminServiceTests(fixture), IClassFixture<SqliteDataFixture>;

/// <summary>The tests above on PostgreSQL, the production database.</summary>
public sealed class InstanceAdminServiceTestsOnPostgres(PostgresDataFixture fixture) : InstanceAdminServiceTests(fixture), IClassFixture<PostgresDataFixture>;
