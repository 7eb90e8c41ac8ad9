using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Data.Tenancy;

namespace Portal.Data.Tests.Identity;

/// <summary>
/// A user belongs to one organisation: user names and emails are unique per tenant, so the same person
/// signing up twice gets two users, and Identity's stores see the users of the scope's tenant only.
/// </summary>
public abstract class UsersPerTenantTests(DataFixture fixture)
{
    private const string Password = "Correct-Horse-42";

    [Fact]
    public async Task SignUpAsync_SameEmailInTwoOrganisations_CreatesTwoUsersEachFoundOnlyInItsTenant()
    {
        var email = DataFixture.UniqueEmail("jane");
        var provisioner = fixture.Services.GetRequiredService<TenantProvisioner>();

        var first = await provisioner.SignUpAsync(new SignUpRequest("First Org", DataFixture.UniqueSlug("first"), email, Password));
        var second = await provisioner.SignUpAsync(new SignUpRequest("Second Org", DataFixture.UniqueSlug("second"), email, Password));

        Assert.True(first.Succeeded);
        Assert.True(second.Succeeded);
        Assert.NotEqual(first.Owner!.Id, second.Owner!.Id);
        Assert.Equal((first.Owner.Id, first.Tenant!.Id), await FindByEmailAsync(first.Tenant.Id, email));
        Assert.Equal((second.Owner.Id, second.Tenant!.Id), await FindByEmailAsync(second.Tenant.Id, email));
    }

    [Fact]
    public async Task FindByEmailAsync_ScopeWithoutTenant_FindsNobody()
    {
        var email = DataFixture.UniqueEmail();
        var provisioner = fixture.Services.GetRequiredService<TenantProvisioner>();
        Assert.True((await provisioner.SignUpAsync(new SignUpRequest("Some Org", DataFixture.UniqueSlug("some"), email, Password))).Succeeded);

        await using var scope = fixture.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();

        Assert.Null(await users.FindByEmailAsync(email));
        Assert.Null(await users.FindByNameAsync(email));
    }

    [Fact]
    public async Task CreateAsync_EmailTakenInSameTenant_FailsWithDuplicateEmail()
    {
        var tenant = await fixture.AddTenantAsync();
        var email = DataFixture.UniqueEmail();
        await using var scope = fixture.TenantScope(tenant.Id);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        Assert.True((await users.CreateAsync(new VigilUser { TenantId = tenant.Id, UserName = email, Email = email }, Password)).Succeeded);

        var duplicate = await users.CreateAsync(new VigilUser { TenantId = tenant.Id, UserName = "someone-else", Email = email }, Password);

        Assert.False(duplicate.Succeeded);
        Assert.Contains(duplicate.Errors, e => e.Code == nameof(IdentityErrorDescriber.DuplicateEmail));
    }

    [Fact]
    public async Task CreateAsync_UserNameTakenInSameTenant_FailsWithDuplicateUserName()
    {
        var tenant = await fixture.AddTenantAsync();
        var email = DataFixture.UniqueEmail();
        await using var scope = fixture.TenantScope(tenant.Id);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        Assert.True((await users.CreateAsync(new VigilUser { TenantId = tenant.Id, UserName = email, Email = email }, Password)).Succeeded);

        var duplicate = await users.CreateAsync(new VigilUser { TenantId = tenant.Id, UserName = email, Email = DataFixture.UniqueEmail() }, Password);

        Assert.False(duplicate.Succeeded);
        Assert.Contains(duplicate.Errors, e => e.Code == nameof(IdentityErrorDescriber.DuplicateUserName));
    }

    [Fact]
    public async Task SaveChangesAsync_DuplicateEmailBypassingIdentity_IsRefusedByTheUniqueIndex()
    {
        var tenant = await fixture.AddTenantAsync();
        var email = DataFixture.UniqueEmail();
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            db.Users.Add(Entities.User(tenant.Id, email));
            await db.SaveChangesAsync();
        }
        var duplicate = Entities.User(tenant.Id, email);
        duplicate.UserName = duplicate.NormalizedUserName = DataFixture.UniqueEmail();

        await using var again = fixture.Dbs.Create(tenant.Id);
        again.Users.Add(duplicate);

        await Assert.ThrowsAsync<DbUpdateException>(() => again.SaveChangesAsync());
    }

    [Fact]
    public async Task SaveChangesAsync_SameEmailInAnotherTenantBypassingIdentity_IsAllowedByTheIndex()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var email = DataFixture.UniqueEmail();

        foreach (var tenantId in new[] { a.Id, b.Id })
        {
            await using var db = fixture.Dbs.Create(tenantId);
            db.Users.Add(Entities.User(tenantId, email));
            await db.SaveChangesAsync();
        }

        var normalized = email.ToUpperInvariant();
        await using var check = fixture.Dbs.Create(null);
        Assert.Equal(2, await check.Users.IgnoreQueryFilters([VigilDbContext.TenantFilter]).CountAsync(u => u.NormalizedEmail == normalized));
    }

    private async Task<(Guid UserId, Guid TenantId)?> FindByEmailAsync(Guid tenantId, string email)
    {
        await using var scope = fixture.TenantScope(tenantId);
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>().FindByEmailAsync(email);
        return user is null ? null : (user.Id, user.TenantId);
    }
}

/// <summary>The tests above on SQLite, the embedded default.</summary>
public sealed class UsersPerTenantTestsOnSqlite(SqliteDataFixture fixture) : UsersPerTenantTests(fixture), IClassFixture<SqliteDataFixture>;

/// <summary>The tests above on PostgreSQL, the production database.</summary>
public sealed class UsersPerTenantTestsOnPostgres(PostgresDataFixture fixture) : UsersPerTenantTests(fixture), IClassFixture<PostgresDataFixture>;
