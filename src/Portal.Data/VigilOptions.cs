using Microsoft.Extensions.Configuration;

namespace Portal.Data;

/// <summary>The <c>Vigil</c> configuration section, shared by the portal and the CLI.</summary>
public sealed class VigilOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Vigil";

    /// <summary>Where the database, indexes and job storage live (<c>Vigil:DataDirectory</c>).</summary>
    public string? DataDirectory { get; set; }

    /// <summary><c>sqlite</c> (default, in the data directory) or <c>postgres</c> (<c>ConnectionStrings:Vigil</c>).</summary>
    public string DatabaseProvider { get; set; } = "sqlite";

    public DemoOptions Demo { get; set; } = new();
    public IntakeOptions Intake { get; set; } = new();
    public DetectionOptions Detection { get; set; } = new();
    public LogsOptions Logs { get; set; } = new();

    /// <summary>Reads the section and resolves the data directory.</summary>
    public static VigilOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(Section).Get<VigilOptions>() ?? new VigilOptions();
        options.DataDirectory = ResolveDataDirectory(options.DataDirectory);
        if (options.Demo.Enabled && configuration[$"{Section}:Detection:IntervalSeconds"] is null)
        {
            // Demo mode shows signals within a couple of minutes, so it evaluates more often unless told otherwise.
            options.Detection.IntervalSeconds = DemoOptions.IntervalSeconds;
        }
        return options;
    }

    /// <summary>
    /// The configured directory, or <c>~/.local/share/vigil</c> (the per-user data folder), so the portal and
    /// the CLI agree wherever they are started from.
    /// </summary>
    public static string ResolveDataDirectory(string? configured)
    {
        var path = string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "vigil")
            : configured;
        return Path.GetFullPath(path);
    }
}

/// <summary>Demo mode: a seeded organisation fed by a log generator.</summary>
public sealed class DemoOptions
{
    /// <summary>Rule evaluation interval in demo mode when none is configured.</summary>
    public const int IntervalSeconds = 10;

    public bool Enabled { get; set; }
    public string Slug { get; set; } = "demo";
    public string Email { get; set; } = "demo@vigil.local";
    public string Password { get; set; } = "Demo-Vigil-2026";
}

/// <summary>Per-tenant intake limits.</summary>
public sealed class IntakeOptions
{
    /// <summary>Sustained uncompressed bytes per second per tenant (Datadog: 4 MB/s).</summary>
    public long BytesPerSecond { get; set; } = 4 * 1024 * 1024;

    /// <summary>Bucket size: how much a tenant may send at once after a quiet period (Datadog: 6 MB).</summary>
    public long BurstBytes { get; set; } = 6 * 1024 * 1024;

    /// <summary>
    /// Events acknowledged (journaled) but not yet indexed, per tenant, beyond which the intake answers 503 with
    /// Retry-After instead of journaling more (back-pressure: the backlog, and so the delay before acknowledged events
    /// are searchable, stays bounded when indexing falls behind). A burst up to this size is absorbed at the speed of the
    /// journal.
    /// </summary>
    public int MaxPendingEvents { get; set; } = 500_000;

    /// <summary>
    /// Bytes of pending batches also kept in memory, per tenant (64 MiB); the indexer reads the others back from the
    /// journal, so this bounds memory whatever the backlog.
    /// </summary>
    public long MaxBufferedBytes { get; set; } = 64L << 20;

    /// <summary>
    /// Bytes of pending batches kept in memory by every tenant in all (256 MiB): the bound of <see cref="MaxBufferedBytes"/>
    /// however many tenants send at once; beyond it, batches are read back from their journals.
    /// </summary>
    public long MaxBufferedBytesInAll { get; set; } = 256L << 20;
}

/// <summary>Rule scheduling.</summary>
public sealed class DetectionOptions
{
    /// <summary>Seconds between scheduled evaluations (default 60).</summary>
    public int IntervalSeconds { get; set; } = 60;

    /// <summary>Seconds to wait for late events before a window is evaluated.</summary>
    public int DelaySeconds { get; set; } = 30;
}

/// <summary>The log store.</summary>
public sealed class LogsOptions
{
    /// <summary>Days of logs kept (Datadog's standard retention: 15); older days are deleted whole, once a day.</summary>
    public int RetentionDays { get; set; } = 15;
}
