using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Keys;
using Portal.Data.Tenancy;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>The built portal (<c>Portal.Web.dll</c>) as a separate process, so that a test can SIGKILL it.</summary>
public sealed partial class PortalProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private PortalProcess(Process process, Uri baseAddress, ConcurrentQueue<string> output)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// Creates an organisation in <paramref name="dataDirectory"/> before a portal process opens it, as the CLI does,
    /// and returns an API key and an application key of its owner.
    /// </summary>
    public static async Task<(string ApiKey, string AppKey)> CreateTenantAsync(string dataDirectory, string name)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Vigil:DataDirectory"] = dataDirectory }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddVigilData(configuration);
        await using var provider = services.BuildServiceProvider();
        await provider.InitializeDatabaseAsync();
        var signUp = await provider.GetRequiredService<TenantProvisioner>().SignUpAsync(new SignUpRequest(name, null, "owner@process.test", TestTenant.Password));
        Assert.True(signUp.Succeeded, string.Join("; ", signUp.Errors.SelectMany(e => e.Value)));
        var keys = provider.GetRequiredService<KeyService>();
        var (_, apiKey) = await keys.CreateAsync(signUp.Tenant!.Id, KeyKind.Api, "shipper", null);
        var (_, appKey) = await keys.CreateAsync(signUp.Tenant.Id, KeyKind.Application, "reader", signUp.Owner!.Id);
        return (apiKey, appKey);
    }

    /// <summary>
    /// Starts the portal on a loopback port of the system's choosing over <paramref name="dataDirectory"/> and waits until
    /// it is ready; <paramref name="environment"/> adds settings (<c>Vigil__DatabaseProvider</c>...).
    /// </summary>
    /// <remarks>
    /// The portal binds port 0 and says the port it was given: a port found free here and bound by the portal seconds later
    /// could be taken meanwhile by any connection of the parallel tests, whose local ports come from the same range.
    /// </remarks>
    public static async Task<PortalProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Portal.Web.dll"), "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Vigil__DataDirectory"] = dataDirectory;
        start.Environment["Vigil__Demo__Enabled"] = "false";
        start.Environment["Vigil__Detection__IntervalSeconds"] = "3600";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information"; // "Now listening on: <address>"
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start)!;
        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }
            if (ListeningOn().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value.TrimEnd('/') + "/"));
            }
            output.Enqueue(line);
            while (output.Count > 200 && output.TryDequeue(out _))
            {
            }
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!listening.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The portal exited with code {process.ExitCode} while starting:\n{string.Join('\n', output)}");
            }
            await Task.WhenAny(listening.Task, Task.Delay(200));
        }
        if (!listening.Task.IsCompleted)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The portal did not say its address within 60 s:\n{string.Join('\n', output)}");
        }
        var baseAddress = await listening.Task;
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(2) };
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The portal exited with code {process.ExitCode} while starting:\n{string.Join('\n', output)}");
            }
            try
            {
                using var ready = await http.GetAsync("healthz/ready");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return new PortalProcess(process, baseAddress, output);
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // slow first request
            }
            await Task.Delay(200);
        }
        process.Kill(entireProcessTree: true);
        throw new TimeoutException("The portal did not become ready within 60 s.");
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, as in a power cut of the process.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
    }

    /// <summary>Kestrel's line naming the address it listens on (plain or as a JSON log's message).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"Now listening on: (http://[^\s""]+)")]
    private static partial System.Text.RegularExpressions.Regex ListeningOn();
}
