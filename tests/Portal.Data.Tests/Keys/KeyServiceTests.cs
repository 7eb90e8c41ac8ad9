using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Keys;

namespace Portal.Data.Tests.Keys;

/// <summary>
/// API and application keys: the secret is shown once and only its SHA-256 hash is stored; a live secret
/// identifies its tenant; everything else about keys stays inside the tenant.
/// </summary>
public abstract class KeyServiceTests(DataFixture fixture)
{
    private KeyService Keys => fixture.Services.GetRequiredService<KeyService>();

    [Theory]
    [InlineData(KeyKind.Api, 32)]
    [InlineData(KeyKind.Application, 40)]
    public async Task CreateAsync_Kind_ReturnsLowerHexSecretOfDatadogLength(KeyKind kind, int length)
    {
        var tenant = await fixture.AddTenantAsync();

        var (_, secret) = await Keys.CreateAsync(tenant.Id, kind, "ci", userId: null);

        Assert.Matches($"^[0-9a-f]{{{length}}}$", secret);
    }

    [Fact]
    public async Task CreateAsync_Secret_StoresOnlyItsSha256HashAndPrefix()
    {
        var tenant = await fixture.AddTenantAsync();

        var (key, secret) = await Keys.CreateAsync(tenant.Id, KeyKind.Api, "ci", userId: null);

        await using var db = fixture.Dbs.Create(tenant.Id);
        var stored = await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key.Id);
        Assert.NotEqual(secret, stored.Hash);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), stored.Hash);
        Assert.Equal(secret[..8], stored.Prefix);
        Assert.DoesNotContain(secret, new[] { stored.Name, stored.Prefix, stored.Hash });
    }

    [Theory]
    [InlineData(KeyKind.Api, "  ", "API key")]
    [InlineData(KeyKind.Application, "", "Application key")]
    [InlineData(KeyKind.Api, "  intake  ", "intake")]
    public async Task CreateAsync_Name_IsTrimmedOrDefaulted(KeyKind kind, string name, string expected)
    {
        var tenant = await fixture.AddTenantAsync();

        var (key, _) = await Keys.CreateAsync(tenant.Id, kind, name, userId: null);

        Assert.Equal(expected, key.Name);
    }

    [Fact]
    public async Task ResolveAsync_LiveSecret_ReturnsTheKeyAndItsTenant()
    {
        var tenant = await fixture.AddTenantAsync();
        var (key, secret) = await Keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", userId: null);

        var resolved = await Keys.ResolveAsync(KeyKind.Api, secret);

        Assert.NotNull(resolved);
        Assert.Equal(key.Id, resolved.Id);
        Assert.Equal(tenant.Id, resolved.TenantId);
    }

    [Fact]
    public async Task ResolveAsync_FirstUse_RecordsLastUsedAt()
    {
        var tenant = await fixture.AddTenantAsync();
        var (key, secret) = await Keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", userId: null);
        var before = DateTimeOffset.UtcNow;

        await Keys.ResolveAsync(KeyKind.Api, secret);

        var listed = Assert.Single(await Keys.ListAsync(tenant.Id, KeyKind.Api), k => k.Id == key.Id);
        Assert.NotNull(listed.LastUsedAt);
        Assert.InRange(listed.LastUsedAt.Value, before, DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task ResolveAsync_RevokedKey_ReturnsNull()
    {
        var tenant = await fixture.AddTenantAsync();
        var (key, secret) = await Keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", userId: null);
        Assert.True(await Keys.RevokeAsync(tenant.Id, key.Id));

        Assert.Null(await Keys.ResolveAsync(KeyKind.Api, secret));
    }

    [Fact]
    public async Task ResolveAsync_SecretOfAnotherKind_ReturnsNull()
    {
        var tenant = await fixture.AddTenantAsync();
        var (_, secret) = await Keys.CreateAsync(tenant.Id, KeyKind.Application, "dashboards", userId: null);

        Assert.Null(await Keys.ResolveAsync(KeyKind.Api, secret));
        Assert.NotNull(await Keys.ResolveAsync(KeyKind.Application, secret));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("0123456789abcdef0123456789abcdef")]
    public async Task ResolveAsync_UnknownSecret_ReturnsNull(string? secret)
    {
        Assert.Null(await Keys.ResolveAsync(KeyKind.Api, secret));
    }

    [Fact]
    public async Task ResolveAsync_SecretLongerThan128_ReturnsNull()
    {
        Assert.Null(await Keys.ResolveAsync(KeyKind.Api, new string('a', 129)));
    }

    [Fact]
    public async Task ListAsync_AnotherTenant_DoesNotSeeTheKeys()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var (aKey, _) = await Keys.CreateAsync(a.Id, KeyKind.Api, "a's key", userId: null);
        var (bKey, _) = await Keys.CreateAsync(b.Id, KeyKind.Api, "b's key", userId: null);

        Assert.Equal([aKey.Id], (await Keys.ListAsync(a.Id, KeyKind.Api)).Select(k => k.Id));
        Assert.Equal([bKey.Id], (await Keys.ListAsync(b.Id, KeyKind.Api)).Select(k => k.Id));
    }

    [Fact]
    public async Task ListAsync_KindAndUser_ReturnsThatUsersKeysOfThatKindNewestFirst()
    {
        var tenant = await fixture.AddTenantAsync();
        var alice = Guid.NewGuid();
        var (older, _) = await Keys.CreateAsync(tenant.Id, KeyKind.Application, "older", alice);
        var (newer, _) = await Keys.CreateAsync(tenant.Id, KeyKind.Application, "newer", alice);
        await Keys.CreateAsync(tenant.Id, KeyKind.Application, "bob's", Guid.NewGuid());
        await Keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", alice);

        var listed = await Keys.ListAsync(tenant.Id, KeyKind.Application, alice);

        Assert.Equal([newer.Id, older.Id], listed.Select(k => k.Id));
    }

    [Fact]
    public async Task RevokeAsync_AnotherTenantsKeyId_ReturnsFalseAndTheKeyStaysLive()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var (key, secret) = await Keys.CreateAsync(a.Id, KeyKind.Api, "a's key", userId: null);

        Assert.False(await Keys.RevokeAsync(b.Id, key.Id));

        Assert.NotNull(await Keys.ResolveAsync(KeyKind.Api, secret));
    }

    [Fact]
    public async Task RevokeAsync_UnknownKeyId_ReturnsFalse()
    {
        var tenant = await fixture.AddTenantAsync();

        Assert.False(await Keys.RevokeAsync(tenant.Id, Guid.NewGuid()));
    }

    [Fact]
    public async Task RevokeAsync_Twice_KeepsTheFirstRevocationTime()
    {
        var tenant = await fixture.AddTenantAsync();
        var (key, _) = await Keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", userId: null);
        Assert.True(await Keys.RevokeAsync(tenant.Id, key.Id));
        var first = (await Keys.ListAsync(tenant.Id, KeyKind.Api)).Single().RevokedAt;

        Assert.True(await Keys.RevokeAsync(tenant.Id, key.Id));

        Assert.NotNull(first);
        Assert.Equal(first, (await Keys.ListAsync(tenant.Id, KeyKind.Api)).Single().RevokedAt);
    }
}

/// <summary>The tests above on SQLite, the embedded default.</summary>
public sealed class KeyServiceTestsOnSqlite(SqliteDataFixture fixture) : KeyServiceTests(fixture), IClassFixture<SqliteDataFixture>;

/// <summary>The tests above on PostgreSQL, the production database.</summary>
public sealed class KeyServiceTestsOnPostgres(PostgresDataFixture fixture) : KeyServiceTests(fixture), IClassFixture<PostgresDataFixture>;
