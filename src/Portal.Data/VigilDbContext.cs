using System.Linq.Expressions;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Data.Rules;
using Portal.Data.Tenancy;

namespace Portal.Data;

/// <summary>
/// Vigil's relational store, Identity included, scoped to one tenant: every tenant-owned entity carries
/// the named <see cref="TenantFilter"/> query filter, and <c>SaveChanges</c> refuses writes
/// without a tenant or for another tenant.
/// </summary>
public sealed class VigilDbContext(DbContextOptions<VigilDbContext> options, ITenantSource tenant)
    : IdentityDbContext<VigilUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    /// <summary>Name of the tenant query filter, for the rare global lookups that must ignore it.</summary>
    public const string TenantFilter = "Tenant";

    /// <summary>A sentence for the audit entries of the next save (why an administrator did it), or null.</summary>
    public string? AuditMessage { get; set; }

    /// <summary>The tenant this context sees; null sees no tenant-owned data.</summary>
    public Guid? CurrentTenantId => tenant.TenantId;

    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<RuleRecord> Rules => Set<RuleRecord>();
    public DbSet<RuleRunState> RuleRunStates => Set<RuleRunState>();
    public DbSet<Suppressions.SuppressionRecord> Suppressions => Set<Suppressions.SuppressionRecord>();
    public DbSet<Audit.AuditEntry> AuditEntries => Set<Audit.AuditEntry>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<Views.SavedViewRecord> SavedViews => Set<Views.SavedViewRecord>();

    /// <summary>The instance's Data Protection keys (cookies, antiforgery), shared by every portal instance; not tenant data.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <inheritdoc />
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        EnforceTenant();
        RecordAudit();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <inheritdoc />
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        EnforceTenant();
        RecordAudit();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        if (Database.IsSqlite())
        {
            // SQLite has no date type; a binary long keeps UTC instants comparable and sortable in SQL.
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<VigilUser>(u =>
        {
            // Identity makes user names unique across the table; in Vigil they are unique per tenant.
            var global = u.Metadata.GetIndexes().Where(i => i.Properties.Any(p => p.Name is nameof(VigilUser.NormalizedUserName) or nameof(VigilUser.NormalizedEmail))).ToList();
            foreach (var index in global)
            {
                u.Metadata.RemoveIndex(index);
            }
            u.HasIndex(x => new { x.TenantId, x.NormalizedUserName }).IsUnique().HasDatabaseName("UserNameIndex");
            u.HasIndex(x => new { x.TenantId, x.NormalizedEmail }).IsUnique().HasDatabaseName("EmailIndex");
            u.Property(x => x.Role).HasMaxLength(32);
            u.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Tenant>(t =>
        {
            t.HasIndex(x => x.Slug).IsUnique();
            t.Property(x => x.Slug).HasMaxLength(63);
            t.Property(x => x.Name).HasMaxLength(200);
            t.Property(x => x.TimeZone).HasMaxLength(64).HasDefaultValue("UTC");
            t.Property(x => x.NotificationEmail).HasMaxLength(256);
        });
        builder.Entity<ApiKey>(k =>
        {
            k.HasIndex(x => x.Hash).IsUnique();
            k.HasIndex(x => new { x.TenantId, x.Kind });
            k.Property(x => x.Name).HasMaxLength(200);
            k.Property(x => x.Scopes).HasMaxLength(512);
            k.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<RuleRecord>(r =>
        {
            r.HasKey(x => new { x.TenantId, x.Id });
            r.Property(x => x.Id).HasMaxLength(64);
            r.Property(x => x.Name).HasMaxLength(200);
            // Two writes of one rule (a switch and the API) must not undo each other: the later one reads it again.
            r.Property(x => x.Version).IsConcurrencyToken();
            r.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<RuleRunState>(s =>
        {
            s.HasKey(x => new { x.TenantId, x.RuleId });
            s.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        ApplyTenantFilter<VigilUser>(builder);
        ApplyTenantFilter<ApiKey>(builder);
        ApplyTenantFilter<RuleRecord>(builder);
        builder.Entity<Suppressions.SuppressionRecord>(s =>
        {
            s.HasKey(x => new { x.TenantId, x.Id });
            s.Property(x => x.Id).HasMaxLength(64);
            s.Property(x => x.Name).HasMaxLength(200);
            s.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Audit.AuditEntry>(a =>
        {
            a.HasIndex(x => new { x.TenantId, x.At });
            a.Property(x => x.ActorType).HasMaxLength(32);
            a.Property(x => x.ActorName).HasMaxLength(256);
            a.Property(x => x.Ip).HasMaxLength(64);
            a.Property(x => x.Action).HasMaxLength(64);
            a.Property(x => x.TargetType).HasMaxLength(32);
            a.Property(x => x.TargetId).HasMaxLength(128);
            a.Property(x => x.TargetName).HasMaxLength(256);
            a.Property(x => x.Outcome).HasMaxLength(16);
            a.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Invitation>(i =>
        {
            i.HasIndex(x => x.TokenHash).IsUnique();
            i.HasIndex(x => new { x.TenantId, x.Email });
            i.Property(x => x.Email).HasMaxLength(256);
            i.Property(x => x.Role).HasMaxLength(32);
            i.Property(x => x.TokenHash).HasMaxLength(64);
            i.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Views.SavedViewRecord>(v =>
        {
            v.HasKey(x => new { x.TenantId, x.Id });
            v.HasIndex(x => new { x.TenantId, x.Page, x.NormalizedName }).IsUnique();
            v.Property(x => x.Id).HasMaxLength(64);
            v.Property(x => x.Page).HasMaxLength(32);
            v.Property(x => x.Name).HasMaxLength(Views.SavedViews.MaxName);
            v.Property(x => x.NormalizedName).HasMaxLength(Views.SavedViews.MaxName);
            v.Property(x => x.State).HasMaxLength(Views.SavedViews.MaxState);
            v.Property(x => x.CreatedBy).HasMaxLength(256);
            v.Property(x => x.UpdatedBy).HasMaxLength(256);
            v.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        ApplyTenantFilter<RuleRunState>(builder);
        ApplyTenantFilter<Suppressions.SuppressionRecord>(builder);
        ApplyTenantFilter<Audit.AuditEntry>(builder);
        ApplyTenantFilter<Invitation>(builder);
        ApplyTenantFilter<Views.SavedViewRecord>(builder);
    }

    private void ApplyTenantFilter<T>(ModelBuilder builder)
        where T : class, ITenantOwned
    {
        Expression<Func<T, bool>> filter = e => CurrentTenantId != null && e.TenantId == CurrentTenantId;
        builder.Entity<T>().HasQueryFilter(TenantFilter, filter);
    }

    /// <summary>Adds the audit entries of the pending changes, so that they commit (or fail) with them.</summary>
    private void RecordAudit()
    {
        var entries = Audit.AuditedChanges.Describe(this, Audit.AuditActor.Current ?? Audit.AuditActor.System, DateTimeOffset.UtcNow, AuditMessage);
        if (entries.Count > 0)
        {
            AuditEntries.AddRange(entries);
        }
    }

    private void EnforceTenant()
    {
        // An organisation's own row may change only from an instance-level context or from within itself:
        // deleting it cascades to all of its data.
        foreach (var entry in ChangeTracker.Entries<Tenant>())
        {
            if (entry.State is EntityState.Modified or EntityState.Deleted && CurrentTenantId is { } scoped && entry.Entity.Id != scoped)
            {
                throw new TenantIsolationException("Cannot change another organisation.");
            }
        }
        // The audit trail is append-only: the product never edits or deletes an entry (an organisation's deletion
        // removes its entries in the database, by cascade).
        if (ChangeTracker.Entries<Audit.AuditEntry>().Any(e => e.State is EntityState.Modified or EntityState.Deleted))
        {
            throw new InvalidOperationException("Audit entries cannot be changed or deleted.");
        }
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
            {
                continue;
            }
            if (CurrentTenantId is not { } current)
            {
                throw new TenantIsolationException($"Cannot save {entry.Metadata.ClrType.Name}: no tenant is set for this context.");
            }
            if (entry.State == EntityState.Added && entry.Entity.TenantId == Guid.Empty)
            {
                entry.Entity.TenantId = current;
            }
            var original = entry.State == EntityState.Added ? entry.Entity.TenantId : entry.Property(e => e.TenantId).OriginalValue;
            if (entry.Entity.TenantId != current || original != current)
            {
                throw new TenantIsolationException($"Cannot save {entry.Metadata.ClrType.Name} of another tenant.");
            }
        }
    }
}
