using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Data.Tenancy;
using Portal.Testing;

namespace Portal.Web.Tests.Features;

/// <summary>
/// The portal on PostgreSQL, its production database: the schema is migrated, Hangfire keeps its jobs there, and the
/// Data Protection keys that sign cookies are stored there for every instance to share.
/// </summary>
public sealed class PostgresPortalTests
{
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
            await using (var portal = LoopbackPortal.Start("Production", new Dictionary<string, string>
            {
                ["Vigil:DatabaseProvider"] = "postgres",
                ["ConnectionStrings:Vigil"] = connection,
            }))
            {
                using var http = new HttpClient { BaseAddress = portal.BaseAddress };
                using var ready = await http.GetAsync("healthz/ready");
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
                using var signIn = await http.GetAsync("account/signin"); // issues an antiforgery token: a key is made
                Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
                var signUp = await portal.Services.GetRequiredService<TenantProvisioner>()
                    .SignUpAsync(new SignUpRequest("Postgres Org", null, "owner@pg.example", "Correct-Horse-42"));
                Assert.True(signUp.Succeeded);
            }

            Assert.Equal(2L, await ScalarAsync(connection, "SELECT count(*) FROM \"__EFMigrationsHistory\""));
            Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM \"Tenants\""));
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
