using Portal.Data.Tenancy;

namespace Portal.Data.Views;

/// <summary>
/// A saved view of an explorer page (Datadog's saved views): its name and the page's state as the page's own address
/// holds it, shared by every member of the organisation.
/// </summary>
public sealed class SavedViewRecord : ITenantOwned
{
    public required string Id { get; set; }

    /// <inheritdoc />
    public Guid TenantId { get; set; }

    /// <summary>The page the view is of (<see cref="SavedViews.LogsPage"/>).</summary>
    public required string Page { get; set; }

    public required string Name { get; set; }

    /// <summary><see cref="Name"/> upper-cased (invariant), unique per page: names differ by more than their letters' case.</summary>
    public required string NormalizedName { get; set; }

    /// <summary>The page's state as its address's query string, without the leading <c>?</c> (the page reads it back).</summary>
    public required string State { get; set; }

    /// <summary>Who saved it first and who last changed it (their email when they did), for the list.</summary>
    public string? CreatedBy { get; set; }

    public string? UpdatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
