using MudBlazor;
using Portal.Search;
using Portal.Web.Components.Shared;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The Logs page's facets and what narrows its query: the panel's facets (the reserved ones, those the user added, the
/// range's commonest attributes), the values the query bar completes, and the terms a facet value, a group or an
/// event's attribute adds to the query.
/// </summary>
public partial class LogsPage
{
    /// <summary>
    /// The panel's facets (<see cref="PinnedFacets.Compose"/>), of those the search counted and the added ones' values;
    /// and those the query bar completes from (without added facets not counted yet, whose values it asks for).
    /// </summary>
    private IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> _facets = new Dictionary<string, IReadOnlyList<FacetValue>>();
    private IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> _queryFacets = new Dictionary<string, IReadOnlyList<FacetValue>>();
    private IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> _counted = new Dictionary<string, IReadOnlyList<FacetValue>>();
    private readonly Dictionary<string, IReadOnlyList<FacetValue>> _pinnedValues = new(StringComparer.Ordinal);

    /// <summary>Why an added facet shows no values (too many to count), by facet.</summary>
    private readonly Dictionary<string, string> _facetNotes = new(StringComparer.Ordinal);

    /// <summary>The least and the greatest value of the matches of each added facet whose values are numbers.</summary>
    private readonly Dictionary<string, (double Min, double Max)> _facetRanges = new(StringComparer.Ordinal);

    /// <summary>The facets the user added to the panel, in the order added (<see cref="PinnedFacets"/>).</summary>
    private List<string> _pinned = [];

    /// <summary>Narrows the search by a facet's value, or with <paramref name="exclude"/> drops its logs; a value no term can hold is said so.</summary>
    private Task PickFacetAsync((string Field, string Value) pick, bool exclude)
    {
        if (QueryCompletion.Term(pick.Field, pick.Value, exclude) is { } term)
        {
            return AddTermAsync(term);
        }
        Snackbar.Add(QueryCompletion.WhyNoTerm(pick.Field, pick.Value), Severity.Info);
        return Task.CompletedTask;
    }

    /// <summary>Narrows the search to a facet's range of numbers, in place of the query's range of that facet, if any.</summary>
    private Task RangeFacetAsync((string Field, double? From, double? To) range)
    {
        if (QueryCompletion.Range(range.Field, range.From, range.To) is { } term)
        {
            return AddTermAsync(term);
        }
        Snackbar.Add($"{range.Field} cannot be searched by range.", Severity.Info);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Narrows the search to a group's logs (a group within another: its logs of that other group too), or with
    /// <paramref name="exclude"/> drops them (<see cref="GroupCell.Terms"/>).
    /// </summary>
    private Task PickGroupAsync(GroupCell cell, bool exclude)
    {
        if (cell.Terms(exclude) is not { } terms)
        {
            Snackbar.Add($"{cell.Label} cannot be searched by (a value over {QueryCompletion.MaxTermValue:N0} characters, or a name the query language cannot use).", Severity.Info);
            return Task.CompletedTask;
        }
        return AddTermsAsync(terms);
    }

    /// <summary>Narrows the search by <paramref name="term"/> (a facet value or an attribute of the event shown), the detail closed to show the results.</summary>
    private Task AddTermAsync(string term) => AddTermsAsync([term]);

    /// <summary>Narrows the search by each of <paramref name="terms"/> in turn (<see cref="QueryCompletion.Narrowed"/>), the detail closed to show the results.</summary>
    private async Task AddTermsAsync(IEnumerable<string> terms)
    {
        foreach (var term in terms)
        {
            _query = QueryCompletion.Narrowed(_query, term);
        }
        var shown = _detailOpen ? _selected?.Id : null;
        _detailOpen = false;
        await SearchAsync();
        // A query or range at fault ran nothing, so nothing wrote the address: the detail closed is kept there (a write
        // of what the address holds already is none).
        KeepUrl();
        // Unless another log was opened meanwhile (its drawer has the focus).
        _focusRowOf = _detailOpen ? null : shown;
    }

    private void ComposeFacets() =>
        (_facets, _queryFacets) = (PinnedFacets.Compose(_counted, _pinned, _pinnedValues), PinnedFacets.Compose(_counted, _pinned, _pinnedValues, uncounted: false));

    /// <summary>
    /// Keeps the added facets' values a search counted (<see cref="PinnedFacets.CountAsync"/>): those of facets removed
    /// since are dropped, those of facets added since (counted on their own) kept.
    /// </summary>
    private void KeepCounts(IReadOnlyDictionary<string, FacetCount> counts)
    {
        foreach (var (field, count) in counts)
        {
            // A search whose matches hold none of a number keeps its last range, so that its filter stays to widen it.
            var range = count.Range ?? (count.Values.Count == 0 && _facetRanges.TryGetValue(field, out var last) ? last : null);
            Forget(field);
            _pinnedValues[field] = count.Values;
            if (count.Note is { } note)
            {
                _facetNotes[field] = note;
            }
            if (range is { } kept)
            {
                _facetRanges[field] = kept;
            }
        }
        foreach (var gone in _pinnedValues.Keys.Where(f => !_pinned.Contains(f)).ToList())
        {
            Forget(gone);
        }
        ComposeFacets();
    }

    /// <summary>What the page counted of an added facet, forgotten with it.</summary>
    private void Forget(string field)
    {
        _pinnedValues.Remove(field);
        _facetNotes.Remove(field);
        _facetRanges.Remove(field);
    }

    /// <summary>
    /// Adds <paramref name="field"/> to the facet panel (kept in the address), its values counted over the results shown;
    /// a name none can take, or one past <see cref="PinnedFacets.Max"/>, is said so.
    /// </summary>
    private async Task PinFacetAsync(string field)
    {
        if (_pinned.Contains(field))
        {
            return;
        }
        if (!PinnedFacets.CanPin(field) || _pinned.Count >= PinnedFacets.Max)
        {
            Snackbar.Add(_pinned.Count >= PinnedFacets.Max
                ? $"The panel adds at most {PinnedFacets.Max} facets: remove one first."
                : $"{field} cannot be a facet.", Severity.Info);
            return;
        }
        _pinned.Add(field);
        ComposeFacets();
        KeepUrl();
        if (_submitted is not var (_, node) || _window == default || _exported is null)
        {
            // No search ran, or the last did not: the next one counts it.
            return;
        }
        // Counted under the search's token: a newer search stops it (and counts it itself).
        var (tenant, (from, to), run, searching) = (_session!.TenantId, _window, _runs, Searching);
        try
        {
            var counted = await PinnedFacets.CountAsync(Logs, tenant, field, node, from, to, searching);
            if (run == _runs && _pinned.Contains(field))
            {
                KeepCounts(new Dictionary<string, FacetCount> { [field] = counted });
            }
        }
        catch (OperationCanceledException) when (searching.IsCancellationRequested)
        {
            // The page closed, or a newer search started.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The results shown stay theirs: the facet is counted at the next search, whose fault, if any, is shown.
            Logger.LogWarning(e, "The added facet {Field} could not be counted", field);
        }
    }

    /// <summary>The facets the user opened past their top values, and their values read for the search shown.</summary>
    private readonly OpenedFacets _opened = new();

    /// <summary>
    /// A facet opened past its top values: its <see cref="LogFacets.MoreValues"/> commonest among the matches of the search
    /// shown, read now under the page's token. A search started meanwhile reads them itself (the facet is open), so this
    /// answer is then dropped; live tail's ticks do not cancel it.
    /// </summary>
    private async Task OpenFacetAsync(string field)
    {
        if (!_opened.Open(field) || _submitted is not var (_, node) || _window == default || _exported is null)
        {
            return;
        }
        var (tenant, (from, to), run) = (_session!.TenantId, _window, _runs);
        var (values, note) = await MoreValuesAsync(tenant, field, node, from, to, Closing);
        if (run == _runs && _opened.Opened.Contains(field))
        {
            _opened.Keep(field, values, note, Clock.GetUtcNow());
        }
    }

    /// <summary>A field's <see cref="LogFacets.MoreValues"/> commonest values among the matches (<see cref="OpenedFacets.ReadAsync"/>).</summary>
    private Task<(IReadOnlyList<FacetValue>? Values, string? Note)> MoreValuesAsync(
        Guid tenant, string field, Portal.Detection.Query.QueryNode node, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellation) =>
        OpenedFacets.ReadAsync(
            async () => PinnedFacets.ValuesOf(await Logs.AggregateAsync(tenant, PinnedFacets.Request(field, node, from, to, LogFacets.MoreValues), cancellation)),
            field, Logger, cancellation);

    /// <summary>Removes an added facet from the panel and the address; an attribute the range has among its commonest stays as the panel's own.</summary>
    private void UnpinFacet(string field)
    {
        _pinned.Remove(field);
        _opened.Close(field);
        Forget(field);
        ComposeFacets();
        KeepUrl();
    }

    /// <summary>
    /// In live tail, which counts its facets every few seconds, what the values the query bar asked for are of: the query
    /// and range, for a minute (asked again once the minute has passed); none otherwise, asked again at each search.
    /// </summary>
    private string? ValuesScope => _live ? $"{_submitted?.Text}|{_range}|{Clock.GetUtcNow():yyyyMMddHHmm}" : null;


    /// <summary>
    /// The most common values of <paramref name="field"/> among the last search's logs over its window, for the query bar
    /// to complete them (the facets count the commonest attributes and the added ones only); none before a search ran, or for a name no
    /// field can have. A fault is logged and completes nothing: the search itself is not at fault.
    /// </summary>
    private async Task<IReadOnlyList<FacetValue>> ValuesOfAsync(string field)
    {
        if (_submitted is not var (_, node) || _window == default || AggregateFields.Parse(field) is null)
        {
            return [];
        }
        // Read under the page's token, not the search's: the query bar keeps what it is answered for its scope (a live
        // tail's minute), and a search's token is cancelled at every tick. An opened facet's values are those.
        if (_opened.Values.TryGetValue(field, out var read))
        {
            return read;
        }
        return (await MoreValuesAsync(_session!.TenantId, field, node, _window.From, _window.To, Closing)).Values ?? [];
    }
}
