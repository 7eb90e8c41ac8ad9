using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data.Views;

/// <summary>A saved view as pages show it.</summary>
public sealed record SavedView(string Id, string Page, string Name, string State, string? CreatedBy, DateTimeOffset CreatedAt, string? UpdatedBy, DateTimeOffset UpdatedAt);

/// <summary>Why a view was not saved: the field at fault (<c>name</c> or <c>state</c>) and what is wrong with it.</summary>
public sealed record SavedViewError(string Field, string Message);

/// <summary>
/// An organisation's saved views of its explorer pages: named uniquely per page (letter case aside), their state bounded,
/// and never seen, changed or deleted by another organisation (the context's tenant filter).
/// </summary>
public sealed class SavedViews(TenantDbFactory dbs, TimeProvider clock)
{
    /// <summary>The Logs Explorer's views.</summary>
    public const string LogsPage = "logs";

    /// <summary>The longest name.</summary>
    public const int MaxName = 100;

    /// <summary>The longest state (an address's query string).</summary>
    public const int MaxState = 4000;

    /// <summary>At most this many views a page and organisation.</summary>
    public const int MaxViews = 500;

    /// <summary>The page's views, by name.</summary>
    public async Task<List<SavedView>> ListAsync(Guid tenantId, string page, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var records = await db.SavedViews.AsNoTracking().Where(v => v.Page == page).ToListAsync(cancellationToken);
        return [.. records.Select(ToView).OrderBy(v => v.Name, StringComparer.OrdinalIgnoreCase).ThenBy(v => v.Id, StringComparer.Ordinal)];
    }

    /// <summary>The view, or null when the organisation has none with this id.</summary>
    public async Task<SavedView?> GetAsync(Guid tenantId, string id, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var record = await db.SavedViews.AsNoTracking().FirstOrDefaultAsync(v => v.Id == id, cancellationToken);
        return record is null ? null : ToView(record);
    }

    /// <summary>Saves a new view of <paramref name="page"/> by <paramref name="author"/>, or says which field is at fault.</summary>
    public async Task<(SavedView? View, SavedViewError? Error)> CreateAsync(Guid tenantId, string page, string name, string state, string? author, CancellationToken cancellationToken = default)
    {
        name = name.Trim();
        await using var db = dbs.Create(tenantId);
        var others = await db.SavedViews.AsNoTracking().Where(v => v.Page == page).Select(v => new { v.Id, v.Name }).ToListAsync(cancellationToken);
        if (Check(name, state, others.Select(o => o.Name)) is { } error)
        {
            return (null, error);
        }
        if (others.Count >= MaxViews)
        {
            return (null, new SavedViewError("name", $"This page has {MaxViews} views, as many as it may: delete one first."));
        }
        var now = clock.GetUtcNow();
        var record = new SavedViewRecord
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            Page = page,
            Name = name,
            NormalizedName = Normalize(name),
            State = state,
            CreatedBy = author,
            UpdatedBy = author,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.SavedViews.Add(record);
        return await SaveAsync(db, tenantId, record, cancellationToken);
    }

    /// <summary>
    /// Renames the view (<paramref name="name"/>) or replaces its state (<paramref name="state"/>), leaving what is not given
    /// as it is, so that a member renaming a view does not undo another's saved changes; (null, null) when the organisation
    /// has no view with this id (another organisation's included, or one deleted meanwhile).
    /// </summary>
    public async Task<(SavedView? View, SavedViewError? Error)> UpdateAsync(Guid tenantId, string id, string? name, string? state, string? author, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var record = await db.SavedViews.FirstOrDefaultAsync(v => v.Id == id, cancellationToken);
        if (record is null)
        {
            return (null, null);
        }
        name = name?.Trim() ?? record.Name;
        state ??= record.State;
        var others = await db.SavedViews.AsNoTracking().Where(v => v.Page == record.Page && v.Id != id).Select(v => v.Name).ToListAsync(cancellationToken);
        if (Check(name, state, others) is { } error)
        {
            return (null, error);
        }
        if (record.Name == name && record.State == state)
        {
            return (ToView(record), null);
        }
        (record.Name, record.NormalizedName, record.State, record.UpdatedBy, record.UpdatedAt) = (name, Normalize(name), state, author, clock.GetUtcNow());
        return await SaveAsync(db, tenantId, record, cancellationToken);
    }

    /// <summary>Deletes the view; false when the organisation has none with this id.</summary>
    public async Task<bool> DeleteAsync(Guid tenantId, string id, CancellationToken cancellationToken = default)
    {
        await using var db = dbs.Create(tenantId);
        var record = await db.SavedViews.FirstOrDefaultAsync(v => v.Id == id, cancellationToken);
        if (record is null)
        {
            return false;
        }
        db.SavedViews.Remove(record);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted by another member meanwhile.
            return false;
        }
        return true;
    }

    /// <summary>What is wrong with a view's name (among <paramref name="others"/> of its page) or state; null when nothing is.</summary>
    public static SavedViewError? Check(string name, string state, IEnumerable<string> others)
    {
        name = name.Trim();
        if (name.Length == 0)
        {
            return new SavedViewError("name", "Name the view.");
        }
        if (name.Length > MaxName)
        {
            return new SavedViewError("name", $"A view's name is at most {MaxName} characters ({name.Length} here).");
        }
        if (others.FirstOrDefault(o => string.Equals(o, name, StringComparison.OrdinalIgnoreCase)) is { } taken)
        {
            return new SavedViewError("name", $"A view named “{taken}” exists already: choose another name.");
        }
        if (state.Length > MaxState)
        {
            return new SavedViewError("state", $"This view is too long to save ({state.Length:N0} characters of at most {MaxState:N0}): shorten the query.");
        }
        return null;
    }

    private async Task<(SavedView? View, SavedViewError? Error)> SaveAsync(VigilDbContext db, Guid tenantId, SavedViewRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Deleted by another member meanwhile.
            return (null, null);
        }
        catch (DbUpdateException)
        {
            // Another member saved a view of the same name in between (the unique index); any other fault is not the user's.
            await using var fresh = dbs.Create(tenantId);
            if (!await fresh.SavedViews.AnyAsync(v => v.Page == record.Page && v.NormalizedName == record.NormalizedName && v.Id != record.Id, cancellationToken))
            {
                throw;
            }
            return (null, new SavedViewError("name", $"A view named “{record.Name}” exists already: choose another name."));
        }
        return (ToView(record), null);
    }

    private static string Normalize(string name) => name.ToUpperInvariant();

    private static SavedView ToView(SavedViewRecord r) => new(r.Id, r.Page, r.Name, r.State, r.CreatedBy, r.CreatedAt, r.UpdatedBy, r.UpdatedAt);
}
