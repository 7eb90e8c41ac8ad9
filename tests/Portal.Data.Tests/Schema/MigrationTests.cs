using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Portal.Data.Tenancy;

namespace Portal.Data.Tests.Schema;

public sealed class MigrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"vigil-migrations-{Guid.NewGuid():N}");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Migrate_DatabaseCreatedBeforeMigrations_IsAdoptedKeepingItsDataAndUpgraded()
    {
        Directory.CreateDirectory(_directory);
        var builder = new DbContextOptionsBuilder<VigilDbContext>();
        VigilDatabase.Configure(builder, new VigilOptions { DataDirectory = _directory }, connectionString: null);
        await using (var db = new VigilDbContext(builder.Options, new FixedTenant(null)))
        {
            // What the walking skeleton's EnsureCreated left: the first schema, some data, and no migrations history.
            await db.GetService<IMigrator>().MigrateAsync(VigilDatabase.InitialMigration);
            await db.Database.ExecuteSqlRawAsync("INSERT INTO \"Tenants\" (\"Id\", \"Name\", \"Slug\", \"CreatedAt\", \"IsDemo\") VALUES ('5a0b6c2e-0000-0000-0000-000000000001', 'Early adopter', 'early', 0, 0)");
            await db.Database.ExecuteSqlRawAsync("DROP TABLE \"__EFMigrationsHistory\"");
        }

        await using (var db = new VigilDbContext(builder.Options, new FixedTenant(null)))
        {
            await VigilDatabase.MigrateAsync(db, CancellationToken.None);

            var applied = (await db.Database.GetAppliedMigrationsAsync()).ToList();
            Assert.Equal(VigilDatabase.InitialMigration, applied[0]);
            Assert.Equal(db.Database.GetMigrations(), applied);
            Assert.Equal("early", (await db.Tenants.SingleAsync()).Slug);
            Assert.Equal(0, await db.DataProtectionKeys.CountAsync());
        }
    }

    [Fact]
    public async Task Migrate_NewDatabase_AppliesEveryMigration()
    {
        Directory.CreateDirectory(_directory);
        var builder = new DbContextOptionsBuilder<VigilDbContext>();
        VigilDatabase.Configure(builder, new VigilOptions { DataDirectory = _directory }, connectionString: null);
        await using var db = new VigilDbContext(builder.Options, new FixedTenant(null));

        await VigilDatabase.MigrateAsync(db, CancellationToken.None);

        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(VigilDatabase.InitialMigration, db.Database.GetMigrations().First());
    }
}
