using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Portal.Data.Audit;
using Portal.Detection.Query;
using Portal.Web.Components.Shared;
using Portal.Web.Features.Identity;

namespace Portal.Web.Features.Audit;

/// <summary>The organisation's audit trail: search in the log query syntax, filters by object, outcome and time, and each entry's changes.</summary>
public partial class AuditPage
{
    private const int PageSize = 100;

    private static readonly (string Value, string Label)[] Types =
    [
        ("", "Any object"), ("rule", "Rules"), ("suppression", "Suppressions"), ("saved_view", "Saved views"), ("signal", "Signals"), ("member", "Members"),
        ("invitation", "Invitations"), ("api_key", "API keys"), ("application_key", "Application keys"),
        ("organisation", "Organisation"), ("endpoint", "Refused requests"),
    ];

    private readonly List<AuditEntry> _entries = [];
    private string? _query;
    private string? _queryError;
    private string _type = "";
    private string _outcome = "";
    private string _range = "7d";
    private string? _next;
    private bool _loading;
    private Guid? _expanded;
    private SessionInfo? _session;
    private Func<AuditEntry, bool>? _filter;
    private DateTimeOffset _from;
    private DateTimeOffset _to;

    [Inject] private AuditLog Audit { get; set; } = default!;
    [Inject] private TenantSession Session { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _session = await Session.GetAsync();
        await SearchAsync();
    }

    private async Task SearchAsync()
    {
        // The object and outcome pickers are query terms too, so the page searches exactly as the API does.
        var terms = new List<string>();
        if (_type.Length > 0)
        {
            terms.Add($"@asset.type:{_type}");
        }
        if (_outcome.Length > 0)
        {
            terms.Add($"@evt.outcome:{_outcome}");
        }
        if (!string.IsNullOrWhiteSpace(_query))
        {
            terms.Add($"({_query})");
        }
        var text = string.Join(' ', terms);
        if (!QueryParser.TryParse(text, out var node, out var error))
        {
            // Positions are the user's own: the picker terms come first.
            _queryError = error!.Message;
            return;
        }
        _queryError = null;
        _filter = node is MatchAllNode ? null : AuditEvents.Filter(node!);
        _to = Clock.GetUtcNow();
        _from = _to - TimeRanges.All.First(r => r.Key == _range).Span;
        _entries.Clear();
        _next = null;
        _expanded = null;
        await ReadPageAsync(++_search);
    }

    /// <summary>The next page of the current search; none while a page is read (a double click would list it twice).</summary>
    private Task LoadMoreAsync() => _loading ? Task.CompletedTask : ReadPageAsync(_search);

    /// <summary>
    /// Reads the next page of search <paramref name="search"/>: a newer search (another filter picked while a long scan
    /// reads) owns the list from then, and this page is dropped.
    /// </summary>
    private async Task ReadPageAsync(int search)
    {
        _loading = true;
        try
        {
            var page = await Audit.ReadAsync(_session!.TenantId, _from, _to, _filter, PageSize, _next);
            if (search == _search)
            {
                _entries.AddRange(page.Entries);
                _next = page.NextCursor;
            }
        }
        finally
        {
            if (search == _search)
            {
                _loading = false;
            }
        }
    }

    /// <summary>The searches made (the current one's number).</summary>
    private int _search;

    private async Task OnKeyUpAsync(KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            await SearchAsync();
        }
    }

    private async Task SetTypeAsync(string value)
    {
        _type = value;
        await SearchAsync();
    }

    private async Task SetOutcomeAsync(string value)
    {
        _outcome = value;
        await SearchAsync();
    }

    private async Task SetRangeAsync(string value)
    {
        _range = value;
        await SearchAsync();
    }

    private void Toggle(AuditEntry entry) => _expanded = _expanded == entry.Id ? null : entry.Id;

    private string RowClass(AuditEntry entry, int index) => _expanded == entry.Id ? "audit-row expanded" : "audit-row";

    private static string ActorLabel(string type) => type switch
    {
        AuditActorTypes.ApplicationKey => "via application key",
        AuditActorTypes.ApiKey => "via API key",
        AuditActorTypes.System => "",
        AuditActorTypes.Anonymous => "not signed in",
        _ => "",
    };

    private static string OutcomeLabel(string outcome) => outcome switch
    {
        AuditOutcomes.Denied => "refused",
        AuditOutcomes.Failure => "failed",
        _ => "ok",
    };
}
