using Portal.Data.Identity;
using Portal.Data.Tenancy;
using Portal.Search;

namespace Portal.Data.Tests.Tenancy;

public abstract class OrganisationServiceTests(DataFixture fixture)
{
    private OrganisationService Organisations => (OrganisationService)fixture.Services.GetService(typeof(OrganisationService))!;

    [Fact]
    public async Task UpdateAsync_ValidSettings_StoredForThatOrganisationOnly()
    {
        var tenant = await fixture.AddTenantAsync("Before");
        var other = await fixture.AddTenantAsync("Other");
        var slug = DataFixture.UniqueSlug("after");

        var errors = await Organisations.UpdateAsync(tenant.Id, await OwnerAsync(tenant.Id), new OrganisationSettings(" After ", slug.ToUpperInvariant(), "Europe/Paris", "soc@example.com", 7));

        Assert.Empty(errors);
        var stored = (await Organisations.GetAsync(tenant.Id))!;
        Assert.Equal(("After", slug, "Europe/Paris", "soc@example.com", 7), (stored.Name, stored.Slug, stored.TimeZone, stored.NotificationEmail, stored.RetentionDays));
        var untouched = (await Organisations.GetAsync(other.Id))!;
        Assert.Equal(("Other", "UTC", (int?)null), (untouched.Name, untouched.TimeZone, untouched.RetentionDays));
        Assert.Equal(Organisations.MaxRetentionDays, Organisations.RetentionOf(untouched));
    }

    [Fact]
    public async Task UpdateAsync_EveryFieldInvalid_ErrorsByFieldAndNothingStored()
    {
        var tenant = await fixture.AddTenantAsync("Kept");
        var taken = await fixture.AddTenantAsync("Taken");

        var errors = await Organisations.UpdateAsync(tenant.Id, await OwnerAsync(tenant.Id), new OrganisationSettings("x", taken.Slug, "Mars/Olympus", "not-an-email", 10_000));

        Assert.Equal(["Name", "NotificationEmail", "RetentionDays", "Slug", "TimeZone"], errors.Keys.Order());
        Assert.Contains("already taken", errors["Slug"][0], StringComparison.Ordinal);
        Assert.Contains($"between 1 and {Organisations.MaxRetentionDays} days", errors["RetentionDays"][0], StringComparison.Ordinal);
        Assert.Equal("Kept", (await Organisations.GetAsync(tenant.Id))!.Name);
    }

    /// <summary>
    /// Two admins editing at once: a save writes only the fields its editor changed since reading, so the other's change to
    /// another field stays; a field both changed is refused, naming what it holds now, and nothing of that save is stored.
    /// </summary>
    [Fact]
    public async Task UpdateAsync_TwoEditorsAtOnce_EachKeepsTheOthersChange()
    {
        var tenant = await fixture.AddTenantAsync("Shared");
        var owner = await OwnerAsync(tenant.Id);
        var read = OrganisationService.SettingsOf((await Organisations.GetAsync(tenant.Id))!);

        Assert.Empty(await Organisations.UpdateAsync(tenant.Id, owner, read with { NotificationEmail = "soc@example.com" }, read));
        Assert.Empty(await Organisations.UpdateAsync(tenant.Id, owner, read with { Name = "Shared Ltd" }, read));

        var stored = (await Organisations.GetAsync(tenant.Id))!;
        Assert.Equal(("Shared Ltd", "soc@example.com"), (stored.Name, stored.NotificationEmail));

        var errors = await Organisations.UpdateAsync(tenant.Id, owner, read with { Name = "Shared Inc", TimeZone = "Europe/Paris" }, read);
        Assert.Equal(["Name"], errors.Keys);
        Assert.Contains("'Shared Ltd'", errors["Name"][0], StringComparison.Ordinal);
        stored = (await Organisations.GetAsync(tenant.Id))!;
        Assert.Equal(("Shared Ltd", "UTC"), (stored.Name, stored.TimeZone));
    }

    [Fact]
    public async Task DeleteAsync_ConfirmedWithTheSlug_RemovesTheOrganisationAndItsIndexesOnly()
    {
        var doomed = await fixture.AddTenantAsync("Doomed");
        var survivor = await fixture.AddTenantAsync("Survivor");
        var logs = (ILogStore)fixture.Services.GetService(typeof(ILogStore))!;
        var now = DateTimeOffset.UtcNow;
        foreach (var tenant in new[] { doomed, survivor })
        {
            await logs.AppendAsync(tenant.Id, [new Portal.Detection.Events.LogEvent { Id = $"e-{tenant.Slug}", Timestamp = now, Message = "hello" }], CancellationToken.None);
        }
        var data = ((VigilOptions)fixture.Services.GetService(typeof(VigilOptions))!).DataDirectory!;

        var owner = await OwnerAsync(doomed.Id);
        Assert.Equal($"Type the organisation URL name, {doomed.Slug}, to confirm.", await Organisations.DeleteAsync(doomed.Id, owner, "yes"));
        Assert.NotNull(await Organisations.GetAsync(doomed.Id));
        Assert.Null(await Organisations.DeleteAsync(doomed.Id, owner, doomed.Slug));

        Assert.Null(await Organisations.GetAsync(doomed.Id));
        Assert.False(Directory.Exists(Path.Combine(data, "tenants", doomed.Id.ToString("N"))));
        Assert.NotNull(await Organisations.GetAsync(survivor.Id));
        await logs.RefreshAsync(survivor.Id, CancellationToken.None);
        var page = await logs.SearchAsync(survivor.Id, new SearchRequest(new Portal.Detection.Query.MatchAllNode(0), now.AddMinutes(-1), now.AddMinutes(1)), CancellationToken.None);
        Assert.Single(page.Items);
    }

    /// <summary>
    /// A member's open page remembers the role they signed in with: an owner demoted since (or removed) no longer deletes
    /// the organisation, nor changes its settings once no longer an admin; the organisation is left as it was.
    /// </summary>
    [Fact]
    public async Task ChangesAsAMemberDemotedOrRemovedSinceTheirPageOpened_Refused_NothingChanged()
    {
        var tenant = await fixture.AddTenantAsync("Kept");
        var demotedToAdmin = new MemberActor((await fixture.AddMemberAsync(tenant.Id, VigilRoles.Admin)).Id, VigilRoles.Owner);
        var demotedToStandard = new MemberActor((await fixture.AddMemberAsync(tenant.Id, VigilRoles.Standard)).Id, VigilRoles.Owner);
        var removed = new MemberActor(Guid.NewGuid(), VigilRoles.Owner);

        Assert.Equal(OrganisationService.RoleRefusal, await Organisations.DeleteAsync(tenant.Id, demotedToAdmin, tenant.Slug));
        Assert.Equal(OrganisationService.RoleRefusal, await Organisations.DeleteAsync(tenant.Id, removed, tenant.Slug));
        var settings = new OrganisationSettings("Renamed", tenant.Slug, "UTC", null, null);
        Assert.Equal([OrganisationService.RoleRefusal], (await Organisations.UpdateAsync(tenant.Id, demotedToStandard, settings))["Organisation"]);
        Assert.False(await Organisations.SetRequireMfaAsync(tenant.Id, removed, required: true));

        var stored = (await Organisations.GetAsync(tenant.Id))!;
        Assert.Equal(("Kept", false), (stored.Name, stored.RequireMfa));
        Assert.Empty(await Organisations.UpdateAsync(tenant.Id, demotedToAdmin, settings));
        Assert.Equal("Renamed", (await Organisations.GetAsync(tenant.Id))!.Name);
        // Each refusal is in the organisation's trail, as the API's are.
        var audit = (Portal.Data.Audit.AuditLog)fixture.Services.GetService(typeof(Portal.Data.Audit.AuditLog))!;
        var denied = await audit.ReadAsync(tenant.Id, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow, e => e.Outcome == Portal.Data.Audit.AuditOutcomes.Denied, 100, null);
        Assert.Equal(["organisation.delete", "organisation.delete", "organisation.require_mfa", "organisation.update"], denied.Entries.Select(e => e.Action).Order());
    }

    /// <summary>Settings saved without a retention of their own (null) keep following the plan's maximum.</summary>
    [Fact]
    public async Task UpdateAsync_NoRetentionOfItsOwn_FollowsThePlan()
    {
        var tenant = await fixture.AddTenantAsync("Plan");

        Assert.Empty(await Organisations.UpdateAsync(tenant.Id, await OwnerAsync(tenant.Id), new OrganisationSettings("Plan renamed", tenant.Slug, "UTC", null, null)));

        var stored = (await Organisations.GetAsync(tenant.Id))!;
        Assert.Null(stored.RetentionDays);
        Assert.Equal(Organisations.MaxRetentionDays, Organisations.RetentionOf(stored));
    }

    private async Task<MemberActor> OwnerAsync(Guid tenantId) => new((await fixture.AddMemberAsync(tenantId, VigilRoles.Owner)).Id, VigilRoles.Owner);
}

/// <summary>The tests above on SQLite, the embedded default.</summary>
public sealed class OrganisationServiceTestsOnSqlite(SqliteDataFixture fixture) : OrganisationServiceTests(fixture), IClassFixture<SqliteDataFixture>;

/// <summary>The tests above on PostgreSQL, the production database.</summary>
public sealed class OrganisationServiceTestsOnPostgres(PostgresDataFixture fixture) : OrganisationServiceTests(fixture), IClassFixture<PostgresDataFixture>;
