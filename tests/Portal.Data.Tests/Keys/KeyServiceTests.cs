using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Data.Tenancy;

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
        // SQLite keeps times to the millisecond: a stored time may be truncated below a clock read just before.
        var before = DateTimeOffset.UtcNow.AddMilliseconds(-1);

        await Keys.ResolveAsync(KeyKind.Api, secret);

        // Recorded in the background, off the request's path.
        var stop = DateTimeOffset.UtcNow.AddSeconds(10);
        ApiKey listed;
        while ((listed = Assert.Single(await Keys.ListAsync(tenant.Id, KeyKind.Api), k => k.Id == key.Id)).LastUsedAt is null && DateTimeOffset.UtcNow < stop)
        {
            await Task.Delay(20);
        }
        Assert.NotNull(listed.LastUsedAt);
        Assert.InRange(listed.LastUsedAt.Value, before, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// Requests for one key that find nothing kept share one lookup: sixteen at once get the very object it found (each
    /// lookup of their own made its own). A lock on the table holds the read back until all sixteen have asked.
    /// </summary>
    [Fact]
    public async Task ResolveAsync_ConcurrentFirstUses_ShareOneLookup()
    {
        var tenant = await fixture.AddTenantAsync();
        var (key, secret) = await Keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", userId: null);
        Task<ResolvedKey?>[] resolving;
        await using (var locking = fixture.Dbs.Create(tenant.Id))
        {
            await using var transaction = await locking.Database.BeginTransactionAsync();
            // Holds the table until the transaction ends, reads included: SQLite's shared cache locks it for a write, and
            // PostgreSQL, whose readers never wait for writers, is asked to.
            if (locking.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true)
            {
                await locking.Database.ExecuteSqlRawAsync("LOCK TABLE \"ApiKeys\" IN ACCESS EXCLUSIVE MODE");
            }
            else
            {
                await locking.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.Name, "intake"));
            }
            resolving = Enumerable.Range(0, 16).Select(_ => Task.Run(() => Keys.ResolveWithOrganisationAsync(KeyKind.Api, secret))).ToArray();
            await Task.Delay(300);
            await transaction.RollbackAsync();
        }

        var resolved = await Task.WhenAll(resolving);

        Assert.NotNull(resolved[0]);
        Assert.Equal(key.Id, resolved[0]!.Key.Id);
        Assert.All(resolved, r => Assert.Same(resolved[0], r));
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
    public async Task ResolveAsync_KeyOrOrganisationChangedThroughAnyContext_SeenOnTheNextLookup()
    {
        var tenant = await fixture.AddTenantAsync();
        var (key, secret) = await Keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", userId: null);
        Assert.False((await Keys.ResolveWithOrganisationAsync(KeyKind.Api, secret))!.OrganisationDisabled);

        // Not through KeyService: any saved change to an organisation or a key empties what lookups kept.
        await using (var db = fixture.Dbs.Create(null))
        {
            (await db.Tenants.SingleAsync(t => t.Id == tenant.Id)).DisabledAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync();
        }
        Assert.True((await Keys.ResolveWithOrganisationAsync(KeyKind.Api, secret))!.OrganisationDisabled);
        await using (var db = fixture.Dbs.Create(tenant.Id))
        {
            (await db.ApiKeys.SingleAsync(k => k.Id == key.Id)).RevokedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync();
        }
        Assert.Null(await Keys.ResolveAsync(KeyKind.Api, secret));
    }

    [Fact]
    public async Task CredentialCache_KeyChangedInsideATransaction_EmptiedAgainWhenItCommits()
    {
        var tenant = await fixture.AddTenantAsync();
        var (key, secret) = await Keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", userId: null);
        var cache = fixture.Services.GetRequiredService<CredentialCache>();
        await using var db = fixture.Dbs.Create(tenant.Id);
        await using var transaction = await db.Database.BeginTransactionAsync();
        (await db.ApiKeys.SingleAsync(k => k.Id == key.Id)).RevokedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync();
        // Until the commit, lookups on other connections still read the live key and may keep it under this generation.
        var beforeCommit = cache.Generation;

        await transaction.CommitAsync();

        Assert.True(cache.Generation > beforeCommit);
        Assert.Null(await Keys.ResolveAsync(KeyKind.Api, secret));
    }

    [Fact]
    public void CredentialCache_ValueReadBeforeAnInvalidation_IsNotKept_AndEntriesExpire()
    {
        var clock = new ManualClock();
        var cache = new CredentialCache(clock);
        var stale = cache.Generation;
        cache.Invalidate();
        cache.Set("k", "a", "read before the change", stale);
        cache.Set("k", "b", "read after", cache.Generation);

        Assert.False(cache.TryGet<string>("k", "a", out _));
        Assert.True(cache.TryGet<string>("k", "b", out var kept, out var aging));
        Assert.Equal("read after", kept);
        Assert.False(aging);
        clock.Now += CredentialCache.Lifetime / 2 + TimeSpan.FromMilliseconds(1);
        Assert.True(cache.TryGet<string>("k", "b", out _, out aging));
        Assert.True(aging);
        clock.Now += CredentialCache.Lifetime / 2;
        Assert.False(cache.TryGet<string>("k", "b", out _));
    }

    /// <summary>
    /// A key in use is read again in the background once its entry is half way through its life: the request that noticed
    /// is answered from the entry, and the renewed entry answers the requests after the first one's lifetime.
    /// </summary>
    [Fact]
    public async Task ResolveAsync_KeyInUse_RenewedBeforeItExpires()
    {
        var tenant = await fixture.AddTenantAsync();
        var (key, secret) = await Keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", userId: null);
        var clock = new ManualClock { Now = DateTimeOffset.UtcNow };
        var cache = new CredentialCache(clock);
        var keys = new KeyService(fixture.Dbs, clock, cache, new Portal.Data.Audit.AuditLog(fixture.Dbs, clock));
        var first = await keys.ResolveWithOrganisationAsync(KeyKind.Api, secret);
        Assert.NotNull(first);

        clock.Now += CredentialCache.Lifetime / 2 + TimeSpan.FromMilliseconds(1);
        Assert.Same(first, await keys.ResolveWithOrganisationAsync(KeyKind.Api, secret));
        var stop = DateTimeOffset.UtcNow.AddSeconds(10);
        ResolvedKey renewed;
        while ((!cache.TryGet("api-key", KeyService.Hash(secret), out renewed) || ReferenceEquals(renewed, first))
               && DateTimeOffset.UtcNow < stop)
        {
            await Task.Delay(20);
        }

        Assert.NotSame(first, renewed);
        clock.Now += CredentialCache.Lifetime / 2;
        Assert.Same(renewed, await keys.ResolveWithOrganisationAsync(KeyKind.Api, secret));
        Assert.Equal(key.Id, renewed.Key.Id);
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
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

    [Fact]
    public async Task RenameAsync_OwnApplicationKey_RenamesAndKeepsTheSecretWorking()
    {
        var tenant = await fixture.AddTenantAsync();
        var member = await ActorAsync(tenant.Id, VigilRoles.ReadOnly);
        var created = await Keys.CreateAsync(member, tenant.Id, KeyKind.Application, "laptop");

        var renamed = await Keys.RenameAsync(member, tenant.Id, created.Key!.Id, "  build server  ");

        Assert.True(renamed.Succeeded, renamed.Message);
        Assert.Equal("build server", (await Keys.GetAsync(tenant.Id, created.Key.Id))!.Name);
        Assert.Equal(created.Key.Id, (await Keys.ResolveAsync(KeyKind.Application, created.Secret))?.Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task RenameAsync_EmptyName_InvalidNamingTheField(string name)
    {
        var tenant = await fixture.AddTenantAsync();
        var admin = await ActorAsync(tenant.Id, VigilRoles.Admin);
        var created = await Keys.CreateAsync(admin, tenant.Id, KeyKind.Api, "intake");

        var renamed = await Keys.RenameAsync(admin, tenant.Id, created.Key!.Id, name);

        Assert.Equal(KeyFailure.Invalid, renamed.Failure);
        Assert.Equal("name", renamed.Field);
        Assert.Equal("intake", (await Keys.GetAsync(tenant.Id, created.Key.Id))!.Name);
    }

    [Fact]
    public async Task RotateAsync_LiveKey_NewSecretSameNameKindUserScopes_OldSecretRefused()
    {
        var tenant = await fixture.AddTenantAsync();
        var member = await ActorAsync(tenant.Id, VigilRoles.Standard);
        var created = await Keys.CreateAsync(member, tenant.Id, KeyKind.Application, "ci", ["logs_read", "security_monitoring_rules_read"]);

        var rotated = await Keys.RotateAsync(member, tenant.Id, created.Key!.Id);

        Assert.True(rotated.Succeeded, rotated.Message);
        Assert.NotEqual(created.Key.Id, rotated.Key!.Id);
        Assert.NotEqual(created.Secret, rotated.Secret);
        Assert.Matches("^[0-9a-f]{40}$", rotated.Secret!);
        Assert.Equal(("ci", KeyKind.Application, member.UserId, "logs_read security_monitoring_rules_read"), (rotated.Key.Name, rotated.Key.Kind, rotated.Key.UserId, rotated.Key.Scopes));
        Assert.Null(await Keys.ResolveAsync(KeyKind.Application, created.Secret));
        Assert.Equal(rotated.Key.Id, (await Keys.ResolveAsync(KeyKind.Application, rotated.Secret))?.Id);
        Assert.NotNull((await Keys.GetAsync(tenant.Id, created.Key.Id))!.RevokedAt);
    }

    [Fact]
    public async Task RotateAsync_RevokedKey_InvalidAndNothingCreated()
    {
        var tenant = await fixture.AddTenantAsync();
        var admin = await ActorAsync(tenant.Id, VigilRoles.Owner);
        var created = await Keys.CreateAsync(admin, tenant.Id, KeyKind.Api, "intake");
        Assert.True((await Keys.RevokeAsync(admin, tenant.Id, created.Key!.Id)).Succeeded);

        var rotated = await Keys.RotateAsync(admin, tenant.Id, created.Key.Id);

        Assert.Equal(KeyFailure.Invalid, rotated.Failure);
        Assert.Single(await Keys.ListAsync(tenant.Id, KeyKind.Api));
    }

    /// <summary>Rotations of one key at once (two admins, a retried script) leave one successor: the others are told it is revoked.</summary>
    [Fact]
    public async Task RotateAsync_ManyAtOnce_OneSuccessor()
    {
        var tenant = await fixture.AddTenantAsync();
        var admin = await ActorAsync(tenant.Id, VigilRoles.Owner);
        var created = await Keys.CreateAsync(admin, tenant.Id, KeyKind.Api, "intake");

        var rotations = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Keys.RotateAsync(admin, tenant.Id, created.Key!.Id))));

        Assert.Single(rotations, r => r.Succeeded);
        Assert.All(rotations.Where(r => !r.Succeeded), r => Assert.Equal(KeyFailure.Invalid, r.Failure));
        Assert.Single(await Keys.ListAsync(tenant.Id, KeyKind.Api), k => k.RevokedAt is null);
    }

    [Fact]
    public async Task CreateAsync_UnknownScope_InvalidNamingTheScope()
    {
        var tenant = await fixture.AddTenantAsync();

        var created = await Keys.CreateAsync(await ActorAsync(tenant.Id, VigilRoles.Standard), tenant.Id, KeyKind.Application, "ci", ["logs_read", "billing_write"]);

        Assert.Equal(KeyFailure.Invalid, created.Failure);
        Assert.Equal("scopes", created.Field);
        Assert.Contains("'billing_write'", created.Message, StringComparison.Ordinal);
        Assert.Empty(await Keys.ListAsync(tenant.Id, KeyKind.Application));
    }

    [Fact]
    public async Task CreateAsync_ScopesOnAnApiKey_Invalid()
    {
        var tenant = await fixture.AddTenantAsync();

        var created = await Keys.CreateAsync(await ActorAsync(tenant.Id, VigilRoles.Admin), tenant.Id, KeyKind.Api, "intake", ["logs_read"]);

        Assert.Equal(("scopes", KeyFailure.Invalid), (created.Field, created.Failure));
    }

    [Fact]
    public async Task UpdateAsync_ScopesNull_MakesTheKeyUnrestricted()
    {
        var tenant = await fixture.AddTenantAsync();
        var member = await ActorAsync(tenant.Id, VigilRoles.Standard);
        var created = await Keys.CreateAsync(member, tenant.Id, KeyKind.Application, "ci", ["logs_read"]);

        var updated = await Keys.UpdateAsync(member, tenant.Id, created.Key!.Id, name: null, setScopes: true, scopes: null);

        Assert.True(updated.Succeeded);
        Assert.Null((await Keys.GetAsync(tenant.Id, created.Key.Id))!.Scopes);
    }

    [Theory]
    [InlineData(VigilRoles.Standard)]
    [InlineData(VigilRoles.ReadOnly)]
    public async Task ApiKeys_MemberWithoutKeysManage_ForbiddenToCreateRenameRotateRevoke(string role)
    {
        var tenant = await fixture.AddTenantAsync();
        var member = await ActorAsync(tenant.Id, role);
        var (key, secret) = await Keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", userId: null);

        Assert.Equal(KeyFailure.Forbidden, (await Keys.CreateAsync(member, tenant.Id, KeyKind.Api, "mine")).Failure);
        Assert.Equal(KeyFailure.Forbidden, (await Keys.RenameAsync(member, tenant.Id, key.Id, "renamed")).Failure);
        Assert.Equal(KeyFailure.Forbidden, (await Keys.RotateAsync(member, tenant.Id, key.Id)).Failure);
        Assert.Equal(KeyFailure.Forbidden, (await Keys.RevokeAsync(member, tenant.Id, key.Id)).Failure);
        Assert.NotNull(await Keys.ResolveAsync(KeyKind.Api, secret));
        // Each refusal is in the organisation's trail, as the API's are.
        var audit = (Portal.Data.Audit.AuditLog)fixture.Services.GetService(typeof(Portal.Data.Audit.AuditLog))!;
        var denied = await audit.ReadAsync(tenant.Id, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow, e => e.Outcome == Portal.Data.Audit.AuditOutcomes.Denied, 100, null);
        Assert.Equal(["api_key.create", "api_key.revoke", "api_key.rotate", "api_key.update"], denied.Entries.Select(e => e.Action).Order());
    }

    [Fact]
    public async Task ApplicationKeys_OfAnotherMember_AdminMayRevokeButNotRenameOrRotate_StandardSeesNothing()
    {
        var tenant = await fixture.AddTenantAsync();
        var alice = await ActorAsync(tenant.Id, VigilRoles.Standard);
        var created = await Keys.CreateAsync(alice, tenant.Id, KeyKind.Application, "alice's");
        var admin = await ActorAsync(tenant.Id, VigilRoles.Admin);
        var bob = await ActorAsync(tenant.Id, VigilRoles.Standard);

        Assert.Equal(KeyFailure.NotFound, (await Keys.RevokeAsync(bob, tenant.Id, created.Key!.Id)).Failure);
        Assert.Equal(KeyFailure.NotFound, (await Keys.RenameAsync(bob, tenant.Id, created.Key.Id, "bob's now")).Failure);
        Assert.Equal(KeyFailure.Forbidden, (await Keys.RenameAsync(admin, tenant.Id, created.Key.Id, "admin's now")).Failure);
        Assert.Equal(KeyFailure.Forbidden, (await Keys.RotateAsync(admin, tenant.Id, created.Key.Id)).Failure);
        Assert.NotNull(await Keys.ResolveAsync(KeyKind.Application, created.Secret));

        Assert.True((await Keys.RevokeAsync(admin, tenant.Id, created.Key.Id)).Succeeded);

        Assert.Null(await Keys.ResolveAsync(KeyKind.Application, created.Secret));
    }

    [Fact]
    public async Task RotateAsync_AnotherTenantsKeyId_NotFoundAndTheKeyStaysLive()
    {
        var a = await fixture.AddTenantAsync();
        var b = await fixture.AddTenantAsync();
        var owner = await ActorAsync(a.Id, VigilRoles.Owner);
        var created = await Keys.CreateAsync(owner, a.Id, KeyKind.Api, "a's key");

        Assert.Equal(KeyFailure.NotFound, (await Keys.RotateAsync(owner, b.Id, created.Key!.Id)).Failure);
        Assert.Equal(KeyFailure.NotFound, (await Keys.RenameAsync(owner, b.Id, created.Key.Id, "b's now")).Failure);

        Assert.NotNull(await Keys.ResolveAsync(KeyKind.Api, created.Secret));
    }

    [Fact]
    public async Task KeyChanges_AreRecordedInTheAuditTrail()
    {
        var tenant = await fixture.AddTenantAsync();
        var admin = await ActorAsync(tenant.Id, VigilRoles.Admin);
        var created = await Keys.CreateAsync(admin, tenant.Id, KeyKind.Api, "intake");
        await Keys.RenameAsync(admin, tenant.Id, created.Key!.Id, "shipper");
        await Keys.RotateAsync(admin, tenant.Id, created.Key.Id);

        await using var db = fixture.Dbs.Create(tenant.Id);
        var actions = await db.AuditEntries.AsNoTracking().Where(e => e.TargetType == "api_key").Select(e => e.Action).ToListAsync();

        Assert.Equal(["api_key.created", "api_key.created", "api_key.revoked", "api_key.updated"], actions.Order());
    }

    /// <summary>
    /// A member's open page remembers the role they signed in with: demoted since (or removed), they make, rotate and revoke
    /// the organisation's keys as their role is stored now.
    /// </summary>
    [Fact]
    public async Task ApiKeys_MemberDemotedOrRemovedSinceTheirPageOpened_JudgedByTheirStoredRole()
    {
        var tenant = await fixture.AddTenantAsync();
        var demoted = new KeyActor((await fixture.AddMemberAsync(tenant.Id, VigilRoles.ReadOnly)).Id, VigilRoles.Admin);
        var removed = new KeyActor(Guid.NewGuid(), VigilRoles.Owner);
        var (key, secret) = await Keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", userId: null);

        foreach (var actor in new[] { demoted, removed })
        {
            Assert.Equal(KeyFailure.Forbidden, (await Keys.CreateAsync(actor, tenant.Id, KeyKind.Api, "mine")).Failure);
            Assert.Equal(KeyFailure.Forbidden, (await Keys.RotateAsync(actor, tenant.Id, key.Id)).Failure);
            Assert.Equal(KeyFailure.Forbidden, (await Keys.RevokeAsync(actor, tenant.Id, key.Id)).Failure);
        }
        Assert.Equal("You are no longer a member of this organisation.", (await Keys.CreateAsync(removed, tenant.Id, KeyKind.Application, "mine")).Message);
        Assert.Single(await Keys.ListAsync(tenant.Id, KeyKind.Api));
        Assert.Empty(await Keys.ListAsync(tenant.Id, KeyKind.Application));
        Assert.NotNull(await Keys.ResolveAsync(KeyKind.Api, secret));
    }

    /// <summary>A member stored with <paramref name="role"/>, acting with it.</summary>
    private async Task<KeyActor> ActorAsync(Guid tenantId, string role) => new((await fixture.AddMemberAsync(tenantId, role)).Id, role);

    [Fact]
    public async Task ResolveWithOrganisationAsync_DisabledOrganisation_SaysSo()
    {
        var tenant = await fixture.AddTenantAsync();
        var (_, secret) = await Keys.CreateAsync(tenant.Id, KeyKind.Api, "intake", userId: null);
        Assert.False((await Keys.ResolveWithOrganisationAsync(KeyKind.Api, secret))!.OrganisationDisabled);

        Assert.Null(await fixture.Services.GetRequiredService<InstanceAdminService>().DisableAsync(tenant.Id, "unpaid"));

        Assert.True((await Keys.ResolveWithOrganisationAsync(KeyKind.Api, secret))!.OrganisationDisabled);
    }
}

/// <summary>The tests above on SQLite, the embedded default.</summary>
public sealed class KeyServiceTestsOnSqlite(SqliteDataFixture fixture) : KeyServiceTests(fixture), IClassFixture<SqliteDataFixture>;

/// <summary>The tests above on PostgreSQL, the production database.</summary>
public sealed class KeyServiceTestsOnPostgres(PostgresDataFixture fixture) : KeyServiceTests(fixture), IClassFixture<PostgresDataFixture>;
