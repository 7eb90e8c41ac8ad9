using System.Net;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Data;
using Portal.Data.Tenancy;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features;

/// <summary>
/// The portal on PostgreSQL, its production database, in a process of its own (Hangfire's state is process-wide):
/// the schema is migrated, an organisation signs up and signs in, Hangfire keeps its jobs in the database, and the
/// Data Protection keys that sign cookies are stored there for every instance to share.
/// </summary>
public sealed class PostgresPortalTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), $"vigil-pg-portal-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Start_OnPostgres_MigratesAndKeepsJobsAndKeysInTheDatabase()
    {
        var server = Environment.GetEnvironmentVariable("VIGIL_TEST_POSTGRES")
            ?? throw new InvalidOperationException("This test needs VIGIL_TEST_POSTGRES; run it with tests/run.sh, which starts a throwaway server.");
        var database = $"vigil_portal_{Guid.NewGuid():N}";
        await ExecuteAsync(server, $"CREATE DATABASE \"{database}\"");
        var connection = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        try
        {
            using (var portal = await PortalProcess.StartAsync(_dataDirectory, new Dictionary<string, string>
            {
                ["Vigil__DatabaseProvider"] = "postgres",
                ["ConnectionStrings__Vigil"] = connection,
            }))
            {
                using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = portal.BaseAddress };
                using var signUp = await Forms.SubmitAsync(browser, "account/signup", "signup", new Dictionary<string, string>
                {
                    ["Input.OrganizationName"] = "Postgres Org",
                    ["Input.Slug"] = "postgres-org",
                    ["Input.Email"] = "owner@pg.example",
                    ["Input.Password"] = "Correct-Horse-42",
                });
                Assert.True(signUp.StatusCode == HttpStatusCode.Redirect, portal.Output);
                using var home = await browser.GetAsync("");
                Assert.Equal(HttpStatusCode.OK, home.StatusCode);
                Assert.Contains("Postgres Org", await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var options = new DbContextOptionsBuilder<VigilDbContext>();
            VigilDatabase.Configure(options, new VigilOptions { DatabaseProvider = VigilDatabase.Postgres }, connection);
            await using (var db = new VigilDbContext(options.Options, new FixedTenant(null)))
            {
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
                Assert.Equal(db.Database.GetMigrations().Count(), await ScalarAsync(connection, "SELECT count(*) FROM \"__EFMigrationsHistory\""));
            }
            Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM \"Tenants\" WHERE \"Slug\" = 'postgres-org'"));
            Assert.True(await ScalarAsync(connection, "SELECT count(*) FROM \"DataProtectionKeys\"") >= 1);
            Assert.True(await ScalarAsync(connection, "SELECT count(*) FROM hangfire.set WHERE key = 'recurring-jobs'") >= 2);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }
    }

    private static async Task ExecuteAsync(string connection, string sql)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(string connection, string sql)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
