using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Data.Keys;
using Portal.Data.Rules;
using Portal.Data.Tenancy;
using Portal.Search;
using Portal.Search.Lucene;

namespace Portal.Data;

/// <summary>Registers Vigil's data layer: database, per-tenant Identity stores, keys, rules and the embedded stores.</summary>
public static class DataServiceCollectionExtensions
{
    /// <summary>Adds the data layer and returns the Identity builder for the host to extend.</summary>
    public static IdentityBuilder AddVigilData(this IServiceCollection services, IConfiguration configuration)
    {
        var vigil = VigilOptions.From(configuration);
        Directory.CreateDirectory(vigil.DataDirectory!);
        services.AddSingleton(vigil);
        services.AddSingleton(TimeProvider.System);

        var credentials = new CredentialCache(TimeProvider.System);
        services.AddSingleton(credentials);
        var builder = new DbContextOptionsBuilder<VigilDbContext>();
        VigilDatabase.Configure(builder, vigil, configuration.GetConnectionString("Vigil"));
        builder.AddInterceptors(new CredentialChanges(credentials));
        services.AddSingleton(builder.Options);
        services.AddSingleton<TenantDbFactory>();
        services.AddScoped<TenantContext>();
        services.AddScoped(sp => new VigilDbContext(sp.GetRequiredService<DbContextOptions<VigilDbContext>>(), sp.GetRequiredService<TenantContext>()));

        services.AddSingleton(_ => new TenantIndexes(vigil.DataDirectory!, vigil.Intake.MaxPendingEvents, vigil.Intake.MaxBufferedBytes, vigil.Intake.MaxBufferedBytesInAll));
        services.AddSingleton<ILogStore, LuceneLogStore>();
        services.AddSingleton<ISignalStore, LuceneSignalStore>();

        services.AddSingleton<KeyService>();
        services.AddSingleton<RuleService>();
        services.AddSingleton<Suppressions.SuppressionService>();
        services.AddSingleton<Views.SavedViews>();
        services.AddSingleton<TenantProvisioner>();
        services.AddSingleton<OrganisationService>();
        services.AddSingleton<InstanceAdminService>();
        services.AddSingleton<Audit.AuditLog>();
        services.AddSingleton<MemberService>();

        return services.AddIdentityCore<VigilUser>(o =>
            {
                o.Stores.SchemaVersion = IdentitySchemaVersions.Version3; // passkeys
                o.User.RequireUniqueEmail = true;
                o.User.AllowedUserNameCharacters = ""; // user names are email addresses, validated at sign-up
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                // Five wrong passwords or codes lock the account for 15 minutes (OWASP's usual figures); the per-account
                // and per-address attempt limits of the portal slow guessing before that.
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddEntityFrameworkStores<VigilDbContext>();
    }

    /// <summary>Creates or upgrades the database schema (the provider's migrations).</summary>
    public static async Task InitializeDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var db = services.GetRequiredService<TenantDbFactory>().Create(null);
        await VigilDatabase.MigrateAsync(db, cancellationToken);
    }
}
