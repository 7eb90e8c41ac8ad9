using Microsoft.EntityFrameworkCore;
using Portal.Data.Keys;
using Portal.Detection.Query;
using Portal.Detection.Signals;
using Portal.Search;
using Portal.Search.Lucene;

namespace Portal.Data.Tenancy;

/// <summary>
/// An organisation as the instance administrator sees it: its identity, state and counts of what it holds, never its
/// content. <see cref="LogDays"/> and <see cref="BytesOnDisk"/> are read from its directory under the data directory;
/// <see cref="DisabledReason"/> is what the administrator wrote when disabling it.
/// </summary>
public sealed record OrganisationUsage(
    Guid Id, string Name, string Slug, DateTimeOffset CreatedAt, DateTimeOffset? DisabledAt, bool IsDemo,
    int Members, int Rules, int RulesEnabled, int ApiKeys, int OpenSignals, int LogDays, long BytesOnDisk, DateTimeOffset? LastLogWrite)
{
    public string? DisabledReason { get; init; }
}

/// <summary>
/// Instance administration (self-hosting): every organisation's usage, disabling and re-enabling an organisation, and
/// granting the instance administrator flag. A disabled organisation keeps its data; its sign-ins, sessions, keys,
/// intake and rule evaluation stop until it is enabled again. Each change is recorded in the organisation's own trail.
/// </summary>
public sealed class InstanceAdminService(TenantDbFactory dbs, TenantProvisioner tenants, ISignalStore signals, TenantIndexes indexes, TimeProvider clock)
{
    private static readonly QueryNode OpenSignals = QueryParser.Parse($"@workflow.triage.state:{TriageStates.Open}");

    /// <summary>Every organisation with its usage, oldest first.</summary>
    public async Task<List<OrganisationUsage>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(null);
        var tenants = await db.Tenants.AsNoTracking().OrderBy(t => t.CreatedAt).ToListAsync(cancellationToken);
        var members = await CountAsync(db.Users.IgnoreQueryFilters([VigilDbContext.TenantFilter]).Select(u => u.TenantId), cancellationToken);
        var rules = await CountAsync(db.Rules.IgnoreQueryFilters([VigilDbContext.TenantFilter]).Select(r => r.TenantId), cancellationToken);
        var enabled = await CountAsync(db.Rules.IgnoreQueryFilters([VigilDbContext.TenantFilter]).Where(r => r.IsEnabled).Select(r => r.TenantId), cancellationToken);
        var keys = await CountAsync(
            db.ApiKeys.IgnoreQueryFilters([VigilDbContext.TenantFilter]).Where(k => k.Kind == KeyKind.Api && k.RevokedAt == null).Select(k => k.TenantId), cancellationToken);
        var usage = new List<OrganisationUsage>(tenants.Count);
        foreach (var tenant in tenants)
        {
            var (days, bytes, lastWrite) = Disk(tenant.Id);
            usage.Add(new OrganisationUsage(
                tenant.Id, tenant.Name, tenant.Slug, tenant.CreatedAt, tenant.DisabledAt, tenant.IsDemo,
                members.GetValueOrDefault(tenant.Id), rules.GetValueOrDefault(tenant.Id), enabled.GetValueOrDefault(tenant.Id), keys.GetValueOrDefault(tenant.Id),
                await OpenSignalsAsync(tenant.Id, cancellationToken), days, bytes, lastWrite)
            {
                DisabledReason = tenant.DisabledAt is null ? null : await DisabledReasonAsync(tenant.Id, cancellationToken),
            });
        }
        return usage;
    }

    /// <summary>Disables the organisation; <paramref name="reason"/> goes to its audit trail. Returns the error, or null.</summary>
    public Task<string?> DisableAsync(Guid tenantId, string? reason, CancellationToken cancellationToken = default) =>
        SetDisabledAsync(tenantId, disable: true, reason, cancellationToken);

    /// <summary>Enables a disabled organisation again. Returns the error, or null.</summary>
    public Task<string?> EnableAsync(Guid tenantId, CancellationToken cancellationToken = default) =>
        SetDisabledAsync(tenantId, disable: false, reason: null, cancellationToken);

    /// <summary>
    /// Grants or takes away the instance administrator flag of the member with <paramref name="email"/> in the
    /// organisation <paramref name="slug"/>. Returns the error, or null. The member's next request carries the change
    /// within the session check interval (a minute).
    /// </summary>
    public async Task<string?> SetInstanceAdminAsync(string? slug, string? email, bool isAdmin, CancellationToken cancellationToken = default)
    {
        var tenant = await tenants.FindBySlugAsync(slug, cancellationToken);
        if (tenant is null)
        {
            return $"There is no organisation '{slug}'.";
        }
        var normalized = email?.Trim().ToUpperInvariant() ?? "";
        await using var db = dbs.Create(tenant.Id);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is null)
        {
            return $"The organisation '{tenant.Slug}' has no member '{email}'.";
        }
        user.IsInstanceAdmin = isAdmin;
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>Whether the member administers the instance; false for an unknown member.</summary>
    public async Task<bool> IsInstanceAdminAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        return await db.Users.AnyAsync(u => u.Id == userId && u.IsInstanceAdmin, cancellationToken);
    }

    private async Task<string?> SetDisabledAsync(Guid tenantId, bool disable, string? reason, CancellationToken cancellationToken)
    {
        await using var db = dbs.Create(tenantId);
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return "This organisation no longer exists.";
        }
        if ((tenant.DisabledAt is not null) == disable)
        {
            return null;
        }
        var trimmed = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        var tracked = await db.Tenants.SingleAsync(t => t.Id == tenantId, cancellationToken);
        tracked.DisabledAt = disable ? clock.GetUtcNow() : null;
        // The context records "organisation.disabled" or "organisation.enabled" with this sentence, in the same save.
        db.AuditMessage = disable ? $"Disabled by an instance administrator{(trimmed is null ? "." : ": " + trimmed)}" : "Enabled by an instance administrator.";
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    private async Task<string?> DisabledReasonAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var db = dbs.Create(tenantId);
        var entries = await db.AuditEntries.AsNoTracking()
            .Where(e => e.Action == "organisation.disabled")
            .Select(e => new { e.At, e.Message })
            .ToListAsync(cancellationToken);
        return entries.OrderByDescending(e => e.At).FirstOrDefault()?.Message;
    }


    private static async Task<Dictionary<Guid, int>> CountAsync(IQueryable<Guid> tenantIds, CancellationToken cancellationToken) =>
        await tenantIds.GroupBy(id => id).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);

    private async Task<int> OpenSignalsAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        try
        {
            var page = await signals.SearchAsync(tenantId, new SearchRequest(OpenSignals, now.AddYears(-1), now.AddSeconds(1), 1), cancellationToken);
            return page.TotalHits;
        }
        catch (InvalidOperationException)
        {
            // Deleted while we were listing: its indexes are gone.
            return 0;
        }
    }

    /// <summary>Day partitions of the log index, bytes of every file of the organisation, and when a log file last changed.</summary>
    private (int Days, long Bytes, DateTimeOffset? LastLogWrite) Disk(Guid tenantId)
    {
        var root = new DirectoryInfo(indexes.DirectoryOf(tenantId));
        if (!root.Exists)
        {
            return (0, 0, null);
        }
        var logs = new DirectoryInfo(Path.Combine(root.FullName, Search.Lucene.LuceneLogStore.Kind));
        var (days, bytes) = (0, 0L);
        DateTimeOffset? lastWrite = null;
        try
        {
            days = PartitionedEventIndex.PartitionsIn(JournaledEventIndex.IndexPath(logs.FullName)).Count();
            foreach (var file in root.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                bytes += file.Length;
                if (file.FullName.StartsWith(logs.FullName + Path.DirectorySeparatorChar, StringComparison.Ordinal) && (lastWrite is null || file.LastWriteTimeUtc > lastWrite))
                {
                    lastWrite = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
                }
            }
        }
        catch (IOException)
        {
            // Index merges delete files while we count; the figures are approximate anyway.
        }
        return (days, bytes, lastWrite);
    }
}
