using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Portal.Data.Identity;
using Portal.Data.Keys;

namespace Portal.Web.Features.Settings;

/// <summary>A card listing keys of one kind, with creation (name and, for application keys, scopes), inline rename, rotate and revoke.</summary>
public partial class KeyTable
{
    private static readonly IReadOnlyList<string> AllScopes = [.. Permissions.Scopes.Keys.Order(StringComparer.Ordinal)];

    private string _name = "";
    private IReadOnlyCollection<string> _scopes = [];
    private Guid? _editing;
    private string _editName = "";

    /// <summary>The card's heading. Default: empty.</summary>
    [Parameter] public string Title { get; set; } = "";

    /// <summary>The zone times are shown in (the organisation's). Default: UTC.</summary>
    [Parameter] public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    /// <summary>Prefix of the element ids (<c>api-key</c>, <c>app-key</c>). Default: <c>keys</c>.</summary>
    [Parameter] public string Slug { get; set; } = "keys";

    /// <summary>The keys shown, newest first. Default: none.</summary>
    [Parameter] public IReadOnlyList<ApiKey> Keys { get; set; } = [];

    /// <summary>Whether the card offers "New key". Default: false.</summary>
    [Parameter] public bool CanCreate { get; set; }

    /// <summary>Shown instead of the create controls when <see cref="CanCreate"/> is false. Default: none.</summary>
    [Parameter] public string? ReadOnlyNote { get; set; }

    /// <summary>Whether keys have scopes (application keys): a picker at creation and a column. Default: false.</summary>
    [Parameter] public bool ShowScopes { get; set; }

    /// <summary>Members' emails by user id; when given, a "Member" column shows each key's owner. Default: null.</summary>
    [Parameter] public IReadOnlyDictionary<Guid, string>? Owners { get; set; }

    /// <summary>Whether a key may be renamed and rotated here. Default: never.</summary>
    [Parameter] public Func<ApiKey, bool> CanManage { get; set; } = _ => false;

    /// <summary>Whether a key may be revoked here. Default: never.</summary>
    [Parameter] public Func<ApiKey, bool> CanRevoke { get; set; } = _ => false;

    /// <summary>The last error of an action of this card, shown above the table. Default: none.</summary>
    [Parameter] public string? Error { get; set; }

    /// <summary>Raised with the name and scopes of a new key; returns whether it was created (the form then clears).</summary>
    [Parameter] public Func<string, IReadOnlyList<string>, Task<bool>>? OnCreate { get; set; }

    /// <summary>Raised with a key and its new name; returns whether it was renamed.</summary>
    [Parameter] public Func<ApiKey, string, Task<bool>>? OnRename { get; set; }

    /// <summary>Raised to rotate a key (the page confirms).</summary>
    [Parameter] public EventCallback<ApiKey> OnRotate { get; set; }

    /// <summary>Raised to revoke a key (the page confirms).</summary>
    [Parameter] public EventCallback<ApiKey> OnRevoke { get; set; }

    private async Task CreateAsync()
    {
        // A second click while the key is made would make another (its secret the one shown, the named one's lost).
        if (_creating || OnCreate is null)
        {
            return;
        }
        _creating = true;
        try
        {
            if (await OnCreate(_name, [.. _scopes]))
            {
                _name = "";
                _scopes = [];
            }
        }
        finally
        {
            _creating = false;
        }
    }

    /// <summary>Whether a key asked for is being made.</summary>
    private bool _creating;

    private void StartRename(ApiKey key)
    {
        _editing = key.Id;
        _editName = key.Name;
    }

    private async Task RenameKeyAsync(KeyboardEventArgs e, ApiKey key)
    {
        if (e.Key == "Enter")
        {
            await SaveRenameAsync(key);
        }
        else if (e.Key == "Escape")
        {
            _editing = null;
        }
    }

    private async Task SaveRenameAsync(ApiKey key)
    {
        if (OnRename is not null && await OnRename(key, _editName))
        {
            _editing = null;
        }
    }
}
