using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Identity;
using Portal.Data.Tenancy;

namespace Portal.Data.Tests;

/// <summary>
/// The real data layer (<see cref="DataServiceCollectionExtensions.AddVigilData"/>) over a fresh database, one per
/// test class, migrated as the portal migrates it: a SQLite file in a temporary directory, or a PostgreSQL database.
/// Tests of a class share the database, so each test works in tenants of its own (<see cref="AddTenantAsync"/>)
/// and never assumes an empty table.
/// </summary>
public abstract class DataFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"vigil-data-tests-{Guid.NewGuid():N}");
    private ServiceProvider? _services;

    /// <summary>Settings that choose the database (provider and connection string).</summary>
    protected abstract Task<Dictionary<string, string?>> DatabaseSettingsAsync();

    /// <summary>Removes the database once the class is done.</summary>
    protected abstract Task DropDatabaseAsync();

    /// <summary>The root provider.</summary>
    public IServiceProvider Services => _services ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>Contexts bound to an explicit tenant (or to none).</summary>
    public TenantDbFactory Dbs => Services.GetRequiredService<TenantDbFactory>();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var settings = await DatabaseSettingsAsync();
        settings["Vigil:DataDirectory"] = _directory;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddVigilData(configuration);
        // PBKDF2 at its production cost makes every sign-up take tens of milliseconds on the build machines;
        // hashing strength is not what these tests specify.
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await _services.InitializeDatabaseAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
        await DropDatabaseAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Stores a new organisation directly (no owner, no rules) and returns it.</summary>
    public async Task<Tenant> AddTenantAsync(string name = "Test org")
    {
        var tenant = new Tenant { Name = name, Slug = UniqueSlug("org") };
        await using var db = Dbs.Create(null);
        db.Tenants.Add(tenant);
        await db.SaveChangesAsync();
        return tenant;
    }

    /// <summary>The password of the members <see cref="AddMemberAsync"/> stores.</summary>
    public const string MemberPassword = "Correct-Horse-42";

    /// <summary>Stores a member of the organisation with <paramref name="role"/> (password <see cref="MemberPassword"/>) and returns them.</summary>
    public async Task<VigilUser> AddMemberAsync(Guid tenantId, string role)
    {
        var email = UniqueEmail(role.Replace('_', '-'));
        await using var scope = TenantScope(tenantId);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>();
        var user = new VigilUser { TenantId = tenantId, UserName = email, Email = email, Role = role };
        var created = await users.CreateAsync(user, MemberPassword);
        Assert.True(created.Succeeded, string.Join("; ", created.Errors.Select(e => e.Description)));
        return user;
    }

    /// <summary>A request scope whose <see cref="TenantContext"/> is set to <paramref name="tenantId"/>, as after sign-in.</summary>
    public AsyncServiceScope TenantScope(Guid tenantId)
    {
        var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(tenantId);
        return scope;
    }

    /// <summary>A slug no other test of the class uses.</summary>
    public static string UniqueSlug(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>An email address no other test of the class uses.</summary>
    public static string UniqueEmail(string local = "user") => $"{local}.{Guid.NewGuid():N}@example.com";
}

/// <summary>A SQLite file in the fixture's temporary directory.</summary>
public sealed class SqliteDataFixture : DataFixture
{
    protected override Task<Dictionary<string, string?>> DatabaseSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    // Pooled connections keep the database file open; release them so the directory can go.
    protected override Task DropDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        return Task.CompletedTask;
    }
}

/// <summary>
/// A new database on the PostgreSQL server named by <c>VIGIL_TEST_POSTGRES</c> (a connection string to a database
/// the user may create databases from); <c>tests/run.sh</c> starts a throwaway server and sets it.
/// </summary>
public sealed class PostgresDataFixture : DataFixture
{
    public const string Variable = "VIGIL_TEST_POSTGRES";
    private readonly string _database = $"vigil_test_{Guid.NewGuid():N}";
    private string? _server;

    protected override async Task<Dictionary<string, string?>> DatabaseSettingsAsync()
    {
        _server = Environment.GetEnvironmentVariable(Variable)
            ?? throw new InvalidOperationException($"The PostgreSQL tests need {Variable} (a connection string); run them with tests/run.sh, which starts a throwaway server.");
        await ExecuteAsync($"CREATE DATABASE \"{_database}\"");
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(_server) { Database = _database };
        return new Dictionary<string, string?>
        {
            ["Vigil:DatabaseProvider"] = "postgres",
            ["ConnectionStrings:Vigil"] = connection.ConnectionString,
        };
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_server is not null)
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)");
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
