using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Data.Tenancy;
using Portal.Detection.Content;

namespace Portal.Data.Tests.Tenancy;

/// <summary>
/// Sign-up creates an organisation, its owner and the out-of-the-box rules, or returns errors keyed by
/// field and stores nothing at all.
/// </summary>
public abstract class TenantProvisionerTests(DataFixture fixture)
{
    private const string Password = "Correct-Horse-42";

    private TenantProvisioner Provisioner => fixture.Services.GetRequiredService<TenantProvisioner>();

    [Fact]
    public async Task SignUpAsync_NoSlug_DerivesItFromTheName()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];

        var result = await Provisioner.SignUpAsync(new SignUpRequest($"  Ácme Corp. {suffix} ", null, DataFixture.UniqueEmail(), Password));

        Assert.True(result.Succeeded);
        Assert.Equal($"acme-corp-{suffix}", result.Tenant!.Slug);
        Assert.Equal($"Ácme Corp. {suffix}", result.Tenant.Name);
        Assert.Equal(result.Tenant.Id, (await Provisioner.FindBySlugAsync($"ACME-CORP-{suffix}"))?.Id);
    }

    [Fact]
    public async Task SignUpAsync_Valid_CreatesOwnerOfTheTenant()
    {
        var email = DataFixture.UniqueEmail("owner");

        var result = await Provisioner.SignUpAsync(new SignUpRequest("Owner Org", DataFixture.UniqueSlug("owner"), email, Password));

        Assert.True(result.Succeeded);
        Assert.Empty(result.Errors);
        Assert.Equal(result.Tenant!.Id, result.Owner!.TenantId);
        Assert.Equal(VigilRoles.Owner, result.Owner.Role);
        Assert.Equal(email, result.Owner.Email);
        Assert.False(result.Tenant.IsDemo);
    }

    [Fact]
    public async Task SignUpAsync_Valid_InstallsTheOutOfTheBoxRulesEnabledWithRunStates()
    {
        var result = await Provisioner.SignUpAsync(new SignUpRequest("Rules Org", DataFixture.UniqueSlug("rules"), DataFixture.UniqueEmail(), Password));

        await using var db = fixture.Dbs.Create(result.Tenant!.Id);
        var rules = await db.Rules.ToListAsync();
        var states = await db.RuleRunStates.ToListAsync();
        Assert.Equal(OutOfTheBoxRules.LoadJson().Count, rules.Count);
        Assert.True(rules.Count >= 40);
        Assert.All(rules, r =>
        {
            Assert.True(r.IsEnabled);
            Assert.True(r.IsDefault);
            Assert.Equal(1, r.Version);
            Assert.Null(r.CreatedByUserId);
        });
        Assert.Equal(rules.Select(r => r.Id).Order(), states.Select(s => s.RuleId).Order());
    }

    [Fact]
    public async Task SignUpAsync_TakenSlug_ReturnsSlugErrorAndCreatesNothing()
    {
        var slug = DataFixture.UniqueSlug("taken");
        Assert.True((await Provisioner.SignUpAsync(new SignUpRequest("First Org", slug, DataFixture.UniqueEmail(), Password))).Succeeded);
        var tenantsBefore = await CountTenantsAsync();
        var email = DataFixture.UniqueEmail("late");

        var result = await Provisioner.SignUpAsync(new SignUpRequest("Second Org", $" {slug.ToUpperInvariant()} ", email, Password));

        Assert.False(result.Succeeded);
        Assert.Equal([nameof(SignUpRequest.Slug)], result.Errors.Keys);
        Assert.Contains(slug, Assert.Single(result.Errors[nameof(SignUpRequest.Slug)]));
        Assert.Equal(tenantsBefore, await CountTenantsAsync());
        Assert.False(await UserExistsAsync(email));
    }

    [Theory]
    [InlineData("short1A")]
    [InlineData("alllowercase123")]
    [InlineData("ALLUPPERCASE123")]
    [InlineData("NoDigitsAtAllHere")]
    [InlineData("")]
    [InlineData(null)]
    public async Task SignUpAsync_WeakPassword_ReturnsPasswordErrorsAndCreatesNothing(string? password)
    {
        var slug = DataFixture.UniqueSlug("weak");
        var email = DataFixture.UniqueEmail();

        var result = await Provisioner.SignUpAsync(new SignUpRequest("Weak Org", slug, email, password));

        Assert.False(result.Succeeded);
        Assert.Equal([nameof(SignUpRequest.Password)], result.Errors.Keys);
        Assert.NotEmpty(result.Errors[nameof(SignUpRequest.Password)]);
        Assert.Null(await Provisioner.FindBySlugAsync(slug));
        Assert.False(await UserExistsAsync(email));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("not-an-email")]
    [InlineData("jane@")]
    [InlineData("@example.com")]
    public async Task SignUpAsync_InvalidEmail_ReturnsEmailErrorAndCreatesNothing(string? email)
    {
        var slug = DataFixture.UniqueSlug("mail");

        var result = await Provisioner.SignUpAsync(new SignUpRequest("Mail Org", slug, email, Password));

        Assert.False(result.Succeeded);
        Assert.Equal([nameof(SignUpRequest.Email)], result.Errors.Keys);
        Assert.Null(await Provisioner.FindBySlugAsync(slug));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("-abc")]
    [InlineData("abc-")]
    [InlineData("a--b")]
    [InlineData("acme_corp")]
    public async Task SignUpAsync_InvalidSlug_ReturnsSlugError(string slug)
    {
        var result = await Provisioner.SignUpAsync(new SignUpRequest("Slug Org", slug, DataFixture.UniqueEmail(), Password));

        Assert.False(result.Succeeded);
        Assert.Equal([nameof(SignUpRequest.Slug)], result.Errors.Keys);
    }

    [Fact]
    public async Task SignUpAsync_EveryFieldInvalid_ReportsEveryField()
    {
        var result = await Provisioner.SignUpAsync(new SignUpRequest(" x ", null, "nope", "weak"));

        Assert.False(result.Succeeded);
        Assert.Null(result.Owner);
        Assert.Equivalent(
            new[] { nameof(SignUpRequest.OrganizationName), nameof(SignUpRequest.Slug), nameof(SignUpRequest.Email), nameof(SignUpRequest.Password) },
            result.Errors.Keys);
    }

    [Fact]
    public async Task SignUpAsync_EmailIdentityRefusesAsUserName_RemovesTheTenantAndReportsEmail()
    {
        // A display-name address passes the email check, but Identity refuses it as a user name:
        // the tenant stored a moment before must be removed again.
        var slug = DataFixture.UniqueSlug("refused");

        var result = await Provisioner.SignUpAsync(new SignUpRequest("Refused Org", slug, "Jane Doe <jane@example.com>", Password));

        Assert.False(result.Succeeded);
        Assert.Equal([nameof(SignUpRequest.Email)], result.Errors.Keys);
        Assert.Null(await Provisioner.FindBySlugAsync(slug));
    }

    private async Task<int> CountTenantsAsync()
    {
        await using var db = fixture.Dbs.Create(null);
        return await db.Tenants.CountAsync();
    }

    private async Task<bool> UserExistsAsync(string email)
    {
        var normalized = email.ToUpperInvariant();
        await using var db = fixture.Dbs.Create(null);
        return await db.Users.IgnoreQueryFilters([VigilDbContext.TenantFilter]).AnyAsync(u => u.NormalizedEmail == normalized);
    }
}

/// <summary>The tests above on SQLite, the embedded default.</summary>
public sealed class TenantProvisionerTestsOnSqlite(SqliteDataFixture fixture) : TenantProvisionerTests(fixture), IClassFixture<SqliteDataFixture>;

/// <summary>The tests above on PostgreSQL, the production database.</summary>
public sealed class TenantProvisionerTestsOnPostgres(PostgresDataFixture fixture) : TenantProvisionerTests(fixture), IClassFixture<PostgresDataFixture>;
