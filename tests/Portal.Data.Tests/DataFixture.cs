using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Tenancy;

namespace Portal.Data.Tests;

/// <summary>
/// The real data layer (<see cref="DataServiceCollectionExtensions.AddVigilData"/>) over a SQLite file in a
/// fresh temporary directory, one per test class. Tests of a class share the database, so each test works
/// in tenants of its own (<see cref="AddTenantAsync"/>) and never assumes an empty table.
/// </summary>
public sealed class DataFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"vigil-data-tests-{Guid.NewGuid():N}");
    private ServiceProvider? _services;

    /// <summary>The root provider.</summary>
    public IServiceProvider Services => _services ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>Contexts bound to an explicit tenant (or to none).</summary>
    public TenantDbFactory Dbs => Services.GetRequiredService<TenantDbFactory>();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Vigil:DataDirectory"] = _directory })
            .Build();
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
        // Pooled connections keep the database file open; release them so the directory can go.
        SqliteConnection.ClearAllPools();
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
