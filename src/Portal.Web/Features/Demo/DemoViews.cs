using Portal.Data.Views;

namespace Portal.Web.Features.Demo;

/// <summary>The Logs Explorer's saved views the demo organisation starts with, over the logs its generator sends.</summary>
public static class DemoViews
{
    /// <summary>Name and state (the Logs page's address parameters) of each.</summary>
    public static readonly IReadOnlyList<(string Name, string State)> All =
    [
        ("SSH failed logins by client IP", "q=source%3Asshd%20%40evt.outcome%3Afailure&range=4h&cols=%40usr.name%2C%40network.client.ip&by=%40network.client.ip"),
        ("Web errors over time", "q=source%3Anginx%20%40http.status_code%3A%3E%3D400&range=1h&cols=%40http.status_code%2C%40http.url&by=%40http.status_code&viz=timeseries"),
        ("CloudTrail console sign-ins", "q=source%3Acloudtrail%20%40evt.name%3AConsoleLogin&range=1d&cols=%40usr.id%2C%40network.client.ip%2C%40evt.outcome"),
    ];

    /// <summary>Saves the views in <paramref name="tenantId"/>; a name already taken is left as it is.</summary>
    public static async Task SeedAsync(SavedViews views, Guid tenantId, CancellationToken cancellationToken)
    {
        foreach (var (name, state) in All)
        {
            await views.CreateAsync(tenantId, SavedViews.LogsPage, name, state, author: null, cancellationToken);
        }
    }
}
