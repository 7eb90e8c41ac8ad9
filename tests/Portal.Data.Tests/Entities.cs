using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Data.Rules;

namespace Portal.Data.Tests;

/// <summary>Minimal tenant-owned entities for tests that exercise the context directly, below the services.</summary>
internal static class Entities
{
    public static RuleRecord Rule(Guid tenantId = default, string name = "Test rule") =>
        new() { Id = Guid.NewGuid().ToString("N")[..11], TenantId = tenantId, Name = name, Json = "{}", IsEnabled = true };

    public static RuleRunState RunState(string ruleId, Guid tenantId = default) =>
        new() { RuleId = ruleId, TenantId = tenantId, Watermark = DateTimeOffset.UtcNow };

    public static ApiKey Key(Guid tenantId = default)
    {
        var hash = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        return new() { TenantId = tenantId, Kind = KeyKind.Api, Name = "Test key", Prefix = hash[..8], Hash = hash };
    }

    public static VigilUser User(Guid tenantId = default, string? email = null)
    {
        email ??= DataFixture.UniqueEmail();
        return new()
        {
            TenantId = tenantId,
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            SecurityStamp = Guid.NewGuid().ToString("N"),
        };
    }
}
