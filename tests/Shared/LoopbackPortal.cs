using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Testing;

/// <summary>
/// The real portal on Kestrel over loopback with its own throwaway data directory (SQLite, Lucene, Hangfire).
/// Shared, as a linked source file, by the integration tests, the browser tests and the benchmarks.
/// </summary>
public sealed class LoopbackPortal : IAsyncDisposable
{
    private readonly Factory _factory;

    private LoopbackPortal(Factory factory, string dataDirectory)
    {
        _factory = factory;
        DataDirectory = dataDirectory;
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    /// <summary>The portal's address, ending with '/'.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The portal's services.</summary>
    public IServiceProvider Services => _factory.Services;

    /// <summary>The throwaway data directory, deleted on dispose.</summary>
    public string DataDirectory { get; }

    /// <summary>
    /// Starts a portal: demo off, quiet logs, rules evaluated without delay when a test runs them, plus any
    /// <paramref name="settings"/>. Unless the settings give <c>Vigil:Detection:IntervalSeconds</c>, nothing runs on a
    /// schedule: neither the rules' evaluation nor the logs' retention, whose hourly runs would otherwise take a test's
    /// events at whatever minute the clock reached (an evaluation between a test's logs and its own run of the rules
    /// leaves that run nothing new).
    /// </summary>
    public static LoopbackPortal Start(string environment = "Development", IReadOnlyDictionary<string, string>? settings = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "vigil-test-" + Guid.NewGuid().ToString("N"));
        var values = new Dictionary<string, string>
        {
            ["Vigil:DataDirectory"] = dataDirectory,
            ["Vigil:Demo:Enabled"] = "false",
            ["Vigil:Detection:IntervalSeconds"] = "3600",
            ["Vigil:Detection:DelaySeconds"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }
        PointAtContentRoot();
        var factory = new Factory(environment, values);
        factory.UseKestrel(0);
        factory.StartServer();
        if (settings?.ContainsKey("Vigil:Detection:IntervalSeconds") != true)
        {
            var recurring = factory.Services.GetRequiredService<Hangfire.IRecurringJobManager>();
            recurring.RemoveIfExists(Portal.Web.Features.Detection.DetectionSetup.SchedulerJobId);
            recurring.RemoveIfExists(Portal.Web.Features.Logs.LogRetentionJob.JobId);
        }
        return new LoopbackPortal(factory, dataDirectory);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing background thread; the OS temp cleaner takes it.
        }
    }

    /// <summary>
    /// Test projects get the portal's content root from Mvc.Testing's manifest; other hosts (the benchmarks)
    /// find it by walking up to the repository, through the variable WebApplicationFactory reads.
    /// </summary>
    private static void PointAtContentRoot()
    {
        const string variable = "ASPNETCORE_TEST_CONTENTROOT_PORTAL_WEB";
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 })
        {
            return;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Portal.Web");
            if (File.Exists(Path.Combine(candidate, "Portal.Web.csproj")))
            {
                Environment.SetEnvironmentVariable(variable, candidate);
                return;
            }
        }
    }

    private sealed class Factory(string environment, Dictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(environment);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}
