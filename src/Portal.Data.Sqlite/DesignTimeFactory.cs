using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Portal.Data.Sqlite;

/// <summary>The context as <c>dotnet ef</c> sees it when it adds SQLite migrations (no database is touched).</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<VigilDbContext>
{
    public VigilDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<VigilDbContext>();
        VigilDatabase.Configure(builder, new VigilOptions { DatabaseProvider = VigilDatabase.Sqlite, DataDirectory = Path.GetTempPath() }, "Data Source=design-time.db");
        return new VigilDbContext(builder.Options, new Tenancy.FixedTenant(null));
    }
}
