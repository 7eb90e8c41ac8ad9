using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Views;

namespace Portal.Data.Tests.Views;

/// <summary>
/// An organisation's saved views: named uniquely per page whatever the letter case, bounded, traced in the audit trail,
/// and another organisation's view ids lead nowhere, for reading, changing or deleting.
/// </summary>
public abstract class SavedViewsTests(DataFixture fixture)
{
    private const string State = "q=source%3Asshd%20%40evt.outcome%3Afailure&range=4h&cols=usr.name";

    private SavedViews Views => fixture.Services.GetRequiredService<SavedViews>();

    [Fact]
    public async Task CreateAsync_ListedByNameWithItsStateAndAuthor_AndAudited()
    {
        var tenant = await fixture.AddTenantAsync();

        var (b, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "  ssh failures ", State, "ana@example.com");
        var (a, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "Access errors", "q=status%3Aerror", "bo@example.com");

        Assert.Equal("ssh failures", b!.Name);
        Assert.Matches("^[0-9a-f]{12}$", b.Id);
        Assert.Equal(["Access errors", "ssh failures"], (await Views.ListAsync(tenant.Id, SavedViews.LogsPage)).Select(v => v.Name));
        var read = await Views.GetAsync(tenant.Id, b.Id);
        Assert.Equal((State, "ana@example.com", "ana@example.com"), (read!.State, read.CreatedBy, read.UpdatedBy));
        Assert.Empty(await Views.ListAsync(tenant.Id, "signals"));
        await using var db = fixture.Dbs.Create(tenant.Id);
        var created = await db.AuditEntries.AsNoTracking().Where(e => e.TargetType == "saved_view").Select(e => new { e.Action, e.TargetId, e.TargetName }).ToListAsync();
        Assert.Equal(2, created.Count);
        Assert.All(created, e => Assert.Equal("saved_view.created", e.Action));
        Assert.Contains(created, e => e.TargetId == a!.Id && e.TargetName == "Access errors");
    }

    [Theory]
    [InlineData("", "Name the view.")]
    [InlineData("   ", "Name the view.")]
    [InlineData("SSH FAILURES", "A view named “ssh failures” exists already: choose another name.")]
    public async Task CreateAsync_NameAtFault_SaysSoAndStoresNothing(string name, string message)
    {
        var tenant = await fixture.AddTenantAsync();
        await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "ssh failures", State, null);

        var (view, error) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, name, State, null);

        Assert.Null(view);
        Assert.Equal(new SavedViewError("name", message), error);
        Assert.Single(await Views.ListAsync(tenant.Id, SavedViews.LogsPage));
    }

    [Fact]
    public async Task CreateAsync_TooLongNameOrState_SaysWhichAndStoresNothing()
    {
        var tenant = await fixture.AddTenantAsync();

        var (_, longName) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, new string('n', SavedViews.MaxName + 1), State, null);
        var (_, longState) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "long", "q=" + new string('x', SavedViews.MaxState), null);
        var (fits, none) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, new string('n', SavedViews.MaxName), new string('x', SavedViews.MaxState), null);

        Assert.Equal("name", longName!.Field);
        Assert.Contains("at most 100 characters (101 here)", longName.Message, StringComparison.Ordinal);
        Assert.Equal("state", longState!.Field);
        Assert.Null(none);
        Assert.Equal([fits!.Id], (await Views.ListAsync(tenant.Id, SavedViews.LogsPage)).Select(v => v.Id));
    }

    [Fact]
    public async Task SameName_InAnotherOrganisation_IsItsOwn()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();

        var (first, _) = await Views.CreateAsync(a.Id, SavedViews.LogsPage, "ssh failures", State, null);
        var (second, error) = await Views.CreateAsync(b.Id, SavedViews.LogsPage, "ssh failures", "q=other", null);

        Assert.Null(error);
        Assert.Equal([first!.Id], (await Views.ListAsync(a.Id, SavedViews.LogsPage)).Select(v => v.Id));
        Assert.Equal([second!.Id], (await Views.ListAsync(b.Id, SavedViews.LogsPage)).Select(v => v.Id));
    }

    [Fact]
    public async Task UpdateAsync_RenamesAndReplacesTheState_KeepingWhoCreatedIt()
    {
        var tenant = await fixture.AddTenantAsync();
        var (view, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "ssh failures", State, "ana@example.com");
        await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "Access errors", "q=status%3Aerror", null);

        var (renamedOnto, taken) = await Views.UpdateAsync(tenant.Id, view!.Id, "access ERRORS", "q=x", "bo@example.com");
        var (sameNameOtherCase, _) = await Views.UpdateAsync(tenant.Id, view.Id, "SSH failures", "q=source%3Asshd", "bo@example.com");

        Assert.Null(renamedOnto);
        Assert.Equal("name", taken!.Field);
        Assert.Equal(("SSH failures", "q=source%3Asshd", "ana@example.com", "bo@example.com"),
            (sameNameOtherCase!.Name, sameNameOtherCase.State, sameNameOtherCase.CreatedBy, sameNameOtherCase.UpdatedBy));
        Assert.Equal("q=source%3Asshd", (await Views.GetAsync(tenant.Id, view.Id))!.State);
        await using var db = fixture.Dbs.Create(tenant.Id);
        Assert.Equal(1, await db.AuditEntries.CountAsync(e => e.TargetId == view.Id && e.Action == "saved_view.updated"));
    }

    /// <summary>A rename keeps the state another member saved meanwhile, and saving the state keeps a name given meanwhile.</summary>
    [Fact]
    public async Task UpdateAsync_WhatIsNotGiven_StaysAsItIs()
    {
        var tenant = await fixture.AddTenantAsync();
        var (view, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "ssh failures", State, null);

        await Views.UpdateAsync(tenant.Id, view!.Id, name: null, "q=changed", "ana@example.com");
        var (renamed, _) = await Views.UpdateAsync(tenant.Id, view.Id, "Renamed", state: null, "bo@example.com");

        Assert.Equal(("Renamed", "q=changed"), (renamed!.Name, renamed.State));
        await Views.UpdateAsync(tenant.Id, view.Id, name: null, "q=again", null);
        Assert.Equal(("Renamed", "q=again"), ((await Views.GetAsync(tenant.Id, view.Id))!.Name, (await Views.GetAsync(tenant.Id, view.Id))!.State));
    }

    /// <summary>Names that differ only by their letters' case cannot both be stored, whatever writes them (the database's index).</summary>
    [Fact]
    public async Task NamesDifferingByCase_RefusedByTheDatabaseToo()
    {
        var tenant = await fixture.AddTenantAsync();
        await using var db = fixture.Dbs.Create(tenant.Id);
        db.SavedViews.Add(Record("v1", "Foo"));
        await db.SaveChangesAsync();

        await using var second = fixture.Dbs.Create(tenant.Id);
        second.SavedViews.Add(Record("v2", "FOO"));
        await Assert.ThrowsAsync<DbUpdateException>(() => second.SaveChangesAsync());

        static SavedViewRecord Record(string id, string name) =>
            new() { Id = id, Page = SavedViews.LogsPage, Name = name, NormalizedName = name.ToUpperInvariant(), State = State };
    }

    [Fact]
    public async Task AnotherOrganisationsViewId_LeadsNowhere_AndChangesNothing()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var (view, _) = await Views.CreateAsync(a.Id, SavedViews.LogsPage, "ssh failures", State, null);

        Assert.Null(await Views.GetAsync(b.Id, view!.Id));
        Assert.Equal((null, null), await Views.UpdateAsync(b.Id, view.Id, "taken over", "q=*", null));
        Assert.False(await Views.DeleteAsync(b.Id, view.Id));

        var kept = await Views.GetAsync(a.Id, view.Id);
        Assert.Equal(("ssh failures", State), (kept!.Name, kept.State));
    }

    [Fact]
    public async Task DeleteAsync_RemovesTheView_AndItsNameIsFreeAgain()
    {
        var tenant = await fixture.AddTenantAsync();
        var (view, _) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "ssh failures", State, null);

        Assert.True(await Views.DeleteAsync(tenant.Id, view!.Id));
        Assert.False(await Views.DeleteAsync(tenant.Id, view.Id));

        Assert.Null(await Views.GetAsync(tenant.Id, view.Id));
        var (again, error) = await Views.CreateAsync(tenant.Id, SavedViews.LogsPage, "ssh failures", State, null);
        Assert.Null(error);
        Assert.NotEqual(view.Id, again!.Id);
    }
}

/// <summary>The tests above on SQLite, the embedded default.</summary>
public sealed class SavedViewsTestsOnSqlite(SqliteDataFixture fixture) : SavedViewsTests(fixture), IClassFixture<SqliteDataFixture>;

/// <summary>The tests above on PostgreSQL, the production database.</summary>
public sealed class SavedViewsTestsOnPostgres(PostgresDataFixture fixture) : SavedViewsTests(fixture), IClassFixture<PostgresDataFixture>;
