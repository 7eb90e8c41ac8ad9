using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Portal.Data;

/// <summary>
/// The database providers and their schemas. Each provider has its own migrations assembly
/// (<c>Portal.Data.Sqlite</c>, <c>Portal.Data.Postgres</c>), generated from the same model:
/// <c>dotnet ef migrations add &lt;Name&gt; --project src/Portal.Data.Sqlite</c>, and the same for Postgres.
/// </summary>
public static class VigilDatabase
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string SqliteMigrations = "Portal.Data.Sqlite";
    public const string PostgresMigrations = "Portal.Data.Postgres";

    /// <summary>The migration that creates the schema; databases made before migrations existed are marked as having applied it.</summary>
    public const string InitialMigration = "20261128000000_Initial";

    /// <summary>
    /// What Identity's model reads from its context's application services: the schema version (3: with passkeys).
    /// Contexts are created outside dependency injection too (jobs, the CLI, <c>dotnet ef</c>), so the options carry it.
    /// </summary>
    private static readonly IServiceProvider IdentitySchema = new ServiceCollection()
        .AddSingleton(Options.Create(new IdentityOptions { Stores = { SchemaVersion = IdentitySchemaVersions.Version3 } }))
        .BuildServiceProvider();

    /// <summary>Points <paramref name="builder"/> at the configured database and its provider's migrations.</summary>
    public static void Configure(DbContextOptionsBuilder builder, VigilOptions options, string? connectionString)
    {
        builder.UseApplicationServiceProvider(IdentitySchema);
        switch (options.DatabaseProvider)
        {
            case Postgres:
                builder.UseNpgsql(
                    connectionString ?? throw new InvalidOperationException("Vigil:DatabaseProvider is postgres but ConnectionStrings:Vigil is not set."),
                    o => o.MigrationsAssembly(PostgresMigrations));
                break;
            case Sqlite or null or "":
                builder.UseSqlite(
                    connectionString ?? $"Data Source={Path.Combine(options.DataDirectory!, "vigil.db")};Cache=Shared;Pooling=True",
                    o => o.MigrationsAssembly(SqliteMigrations));
                break;
            default:
                throw new InvalidOperationException($"Vigil:DatabaseProvider '{options.DatabaseProvider}' is not one of {Sqlite}, {Postgres}.");
        }
    }

    /// <summary>Applies pending migrations; a schema created before migrations existed is adopted first.</summary>
    public static async Task MigrateAsync(VigilDbContext db, CancellationToken cancellationToken)
    {
        var history = db.GetService<IHistoryRepository>();
        if (!await history.ExistsAsync(cancellationToken) && await HasTablesAsync(db, cancellationToken))
        {
            // Created by EnsureCreated (the walking skeleton): the schema is the initial migration's.
            await db.Database.ExecuteSqlRawAsync(history.GetCreateScript(), cancellationToken);
            await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(InitialMigration, ProductInfo.GetVersion())), cancellationToken);
        }
        await db.Database.MigrateAsync(cancellationToken);
    }

    private static async Task<bool> HasTablesAsync(VigilDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Database.CanConnectAsync(cancellationToken))
        {
            return false;
        }
        try
        {
            _ = await db.Tenants.IgnoreQueryFilters().AnyAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or Npgsql.PostgresException)
        {
            return false;
        }
    }
}
