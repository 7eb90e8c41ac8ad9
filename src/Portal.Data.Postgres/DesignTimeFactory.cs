using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Portal.Data.Postgres;

/// <summary>The context as <c>dotnet ef</c> sees it when it adds PostgreSQL migrations (no database is touched).</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<VigilDbContext>
{
    public VigilDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<VigilDbContext>();
        VigilDatabase.Configure(builder, new VigilOptions { DatabaseProvider = VigilDatabase.Postgres }, "Host=localhost;Database=design_time");
        return new VigilDbContext(builder.Options, new Tenancy.FixedTenant(null));
    }
}
