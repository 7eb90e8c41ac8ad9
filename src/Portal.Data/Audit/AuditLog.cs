using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data.Audit;

/// <summary>What an explicit audit record says (changes to stored settings are recorded by the database context itself).</summary>
public sealed record AuditRecord(string Action, string TargetType, string? TargetId = null, string? TargetName = null)
{
    public string Outcome { get; init; } = AuditOutcomes.Success;
    public string? Message { get; init; }
    public object? Before { get; init; }
    public object? After { get; init; }

    /// <summary>Who acted; the ambient <see cref="AuditActor.Current"/> (else the system) when null.</summary>
    public AuditActor? Actor { get; init; }
}

/// <summary>A page of the audit trail, newest first, with the cursor of the next page.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, string? NextCursor);

/// <summary>
/// An organisation's audit trail: explicit records for what is not a stored change (sign-ins, signal triage, refused
/// requests), and reading entries back, newest first. Nothing here edits or deletes an entry.
/// </summary>
public sealed class AuditLog(TenantDbFactory dbs, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Appends one entry to the tenant's trail.</summary>
    public Task RecordAsync(Guid tenantId, AuditRecord record, CancellationToken cancellationToken = default) =>
        RecordAllAsync(tenantId, [record], cancellationToken);

    /// <summary>Appends entries to the tenant's trail, in order, stored together (one write for a bulk action's hundreds).</summary>
    public async Task RecordAllAsync(Guid tenantId, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0)
        {
            return;
        }
        await using var db = dbs.Create(tenantId);
        var at = clock.GetUtcNow();
        for (var i = 0; i < records.Count; i++)
        {
            // A tenth of a millisecond apart (what every database keeps; SQLite's stored form no finer): read back newest
            // first, they keep their order.
            db.AuditEntries.Add(Entry(tenantId, records[i], at.AddTicks(i * TimeSpan.TicksPerMillisecond / 10)));
        }
        // Recording must survive the caller giving up (a cancelled request was still attempted).
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private static AuditEntry Entry(Guid tenantId, AuditRecord record, DateTimeOffset at)
    {
        var actor = record.Actor ?? AuditActor.Current ?? AuditActor.System;
        return new AuditEntry
        {
            TenantId = tenantId,
            At = at,
            ActorType = actor.Type,
            ActorId = actor.Id,
            ActorName = Truncate(actor.Name, 256)!,
            Ip = actor.Ip,
            Action = record.Action,
            TargetType = record.TargetType,
            TargetId = Truncate(record.TargetId, 128),
            TargetName = Truncate(record.TargetName, 256),
            Outcome = record.Outcome,
            Message = record.Message,
            Before = record.Before is null ? null : JsonSerializer.Serialize(record.Before, Json),
            After = record.After is null ? null : JsonSerializer.Serialize(record.After, Json),
        };
    }

    /// <summary>
    /// Entries between <paramref name="from"/> and <paramref name="to"/>, newest first (or <paramref name="oldestFirst"/>),
    /// that pass <paramref name="filter"/>; <paramref name="cursor"/> continues a previous page of the same order (it pins
    /// the end of the range, so entries recorded since do not shift the pages; <see cref="IsCursor"/> tells whether a
    /// cursor is one). At most <paramref name="scanLimit"/> entries are examined per page.
    /// </summary>
    public async Task<AuditPage> ReadAsync(Guid tenantId, DateTimeOffset from, DateTimeOffset to, Func<AuditEntry, bool>? filter,
        int limit, string? cursor, int scanLimit = 50_000, bool oldestFirst = false, CancellationToken cancellationToken = default)
    {
        limit = Math.Clamp(limit, 1, 1000);
        var offset = 0;
        if (Cursor.TryParse(cursor, out var pinnedTo, out var pinnedOffset, out var itsOrder) && itsOrder == oldestFirst)
        {
            (to, offset) = (pinnedTo, pinnedOffset);
        }
        else if (to > clock.GetUtcNow())
        {
            to = clock.GetUtcNow();
        }
        await using var db = dbs.Create(tenantId);
        var within = db.AuditEntries.AsNoTracking().Where(e => e.At >= from && e.At <= to);
        var query = (oldestFirst ? within.OrderBy(e => e.At).ThenBy(e => e.Id) : within.OrderByDescending(e => e.At).ThenByDescending(e => e.Id))
            .Skip(offset).Take(scanLimit);
        var page = new List<AuditEntry>(limit);
        var scanned = 0;
        await foreach (var entry in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            scanned++;
            if (filter?.Invoke(entry) ?? true)
            {
                page.Add(entry);
                if (page.Count == limit)
                {
                    return new AuditPage(page, Cursor.Format(to, offset + scanned, oldestFirst));
                }
            }
        }
        // The scan stopped at its limit before filling the page: the next page goes on from there.
        return new AuditPage(page, scanned == scanLimit ? Cursor.Format(to, offset + scanned, oldestFirst) : null);
    }

    /// <summary>Whether <paramref name="cursor"/> is a cursor this trail returned for pages in that order.</summary>
    public static bool IsCursor(string cursor, bool oldestFirst = false) => Cursor.TryParse(cursor, out _, out _, out var itsOrder) && itsOrder == oldestFirst;

    /// <summary>Where a page ends: the range's end as pinned, the entries passed, and the order (newest first unless marked).</summary>
    private static class Cursor
    {
        public static string Format(DateTimeOffset to, int offset, bool oldestFirst) =>
            Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{to.UtcTicks}:{offset}" + (oldestFirst ? ":asc" : "")))
                .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static bool TryParse(string? cursor, out DateTimeOffset to, out int offset, out bool oldestFirst)
        {
            (to, offset, oldestFirst) = (default, 0, false);
            if (string.IsNullOrEmpty(cursor) || cursor.Length > 64)
            {
                return false;
            }
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            Span<byte> bytes = stackalloc byte[48];
            if (!Convert.TryFromBase64String(base64, bytes, out var written))
            {
                return false;
            }
            var parts = System.Text.Encoding.ASCII.GetString(bytes[..written]).Split(':');
            oldestFirst = parts.Length == 3 && parts[2] == "asc";
            if (parts.Length != (oldestFirst ? 3 : 2) || !long.TryParse(parts[0], out var ticks) || !int.TryParse(parts[1], out offset) || offset < 0
                || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                return false;
            }
            to = new DateTimeOffset(ticks, TimeSpan.Zero);
            return true;
        }
    }

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
