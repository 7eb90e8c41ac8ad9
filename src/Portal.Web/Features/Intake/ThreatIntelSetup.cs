using Portal.Detection.ThreatIntel;

namespace Portal.Web.Features.Intake;

/// <summary>
/// Registers the <see cref="ThreatIndicatorSet"/> the intake enriches events with: the indicators of every configured
/// feed, or <see cref="ThreatIndicatorSet.Empty"/> without feeds.
/// </summary>
public static class ThreatIntelSetup
{
    /// <summary>How many unreadable feed lines are logged one by one; the rest are only counted.</summary>
    private const int LoggedErrors = 20;

    public static void AddThreatIntel(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ThreatIntelOptions.Section).Get<ThreatIntelOptions>() ?? new ThreatIntelOptions();
        var feeds = options.Feeds.Where(f => !string.IsNullOrWhiteSpace(f)).ToList();
        builder.Services.AddSingleton(services => feeds.Count == 0 ? ThreatIndicatorSet.Empty : Load(feeds, services.GetRequiredService<ILoggerFactory>()));
    }

    /// <summary>
    /// Reads the feeds now, so that a missing file stops the start instead of the first intake request, and hands them to
    /// the log indexes, which enrich intake batches as they normalise them.
    /// </summary>
    public static void UseThreatIntel(this WebApplication app) =>
        app.Services.GetRequiredService<Search.Lucene.TenantIndexes>().ThreatIntel = app.Services.GetRequiredService<ThreatIndicatorSet>();

    private static ThreatIndicatorSet Load(IReadOnlyList<string> feeds, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger(typeof(ThreatIntelSetup));
        var feed = ThreatIntelFeed.Read(feeds);
        foreach (var error in feed.Errors.Take(LoggedErrors))
        {
            log.LogWarning("Threat-intelligence feed line skipped: {Error}", error);
        }
        if (feed.Errors.Count > LoggedErrors)
        {
            log.LogWarning("{Count} more threat-intelligence feed lines skipped", feed.Errors.Count - LoggedErrors);
        }
        var set = new ThreatIndicatorSet(feed.Indicators);
        log.LogInformation("Threat intelligence: {Count} indicators from {Feeds} feed(s)", set.Count, feeds.Count);
        return set;
    }
}
