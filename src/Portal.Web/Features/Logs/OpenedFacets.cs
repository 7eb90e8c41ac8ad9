using Portal.Search;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The facets a page's panel opened past their top values (<see cref="LogFacets.Opened"/>), and what was read of each for
/// the search shown: its values (<see cref="LogFacets.More"/>) and when, or why it has none (<see cref="LogFacets.MoreNotes"/>).
/// A facet stays open across searches, each reading its values again, until it is closed. The Logs and Signals pages keep
/// theirs in one.
/// </summary>
public sealed class OpenedFacets
{
    /// <summary>The facets opened.</summary>
    public HashSet<string> Opened { get; } = new(StringComparer.Ordinal);

    /// <summary>The values read of the opened facets, of the search shown.</summary>
    public Dictionary<string, IReadOnlyList<FacetValue>> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Why an opened facet shows no values past its top ones: too many to list, or a fault.</summary>
    public Dictionary<string, string> Notes { get; } = new(StringComparer.Ordinal);

    /// <summary>When each opened facet's values were read (live tail reads them again once they are old).</summary>
    private readonly Dictionary<string, DateTimeOffset> _readAt = new(StringComparer.Ordinal);

    /// <summary>Opens <paramref name="field"/>; false when it was open already.</summary>
    public bool Open(string field) => Opened.Add(field);

    /// <summary>Closes <paramref name="field"/>, forgetting what was read of it.</summary>
    public void Close(string field)
    {
        Opened.Remove(field);
        Keep(field, null, null, default);
    }

    /// <summary>Whether <paramref name="field"/> is open and its values, or why it has none, are known.</summary>
    public bool IsRead(string field) => Opened.Contains(field) && (Values.ContainsKey(field) || Notes.ContainsKey(field));

    /// <summary>When the values of <paramref name="field"/> were read.</summary>
    public DateTimeOffset ReadAt(string field) => _readAt.GetValueOrDefault(field);

    /// <summary>What was read of <paramref name="field"/> (at <paramref name="readAt"/>): its values, or why there are none; neither forgets it.</summary>
    public void Keep(string field, IReadOnlyList<FacetValue>? values, string? note, DateTimeOffset readAt)
    {
        Values.Remove(field);
        Notes.Remove(field);
        _readAt.Remove(field);
        if (values is not null)
        {
            (Values[field], _readAt[field]) = (values, readAt);
        }
        else if (note is not null)
        {
            Notes[field] = note;
        }
    }

    /// <summary>Forgets what was read of every facet (a search shows nothing, or another's values are coming); they stay open.</summary>
    public void Forget()
    {
        Values.Clear();
        Notes.Clear();
        _readAt.Clear();
    }

    /// <summary>
    /// A facet's values past its top ones, read by <paramref name="read"/>; or none and why (too many to group, or a fault,
    /// logged), never failing the search that asks. Cancelled, it says nothing.
    /// </summary>
    public static async Task<(IReadOnlyList<FacetValue>? Values, string? Note)> ReadAsync(
        Func<Task<IReadOnlyList<FacetValue>>> read, string field, ILogger logger, CancellationToken cancellation)
    {
        try
        {
            return (await read(), null);
        }
        catch (AggregateTooLargeException)
        {
            return (null, "too many values to list: narrow the search");
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return (null, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "More values of {Field} could not be read", field);
            return (null, "its values could not be read: try again in a moment");
        }
    }
}
