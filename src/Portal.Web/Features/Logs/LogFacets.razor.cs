using Microsoft.AspNetCore.Components;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Search;

namespace Portal.Web.Features.Logs;

/// <summary>
/// The Logs page's facet panel: the top values of the reserved facets, of the facets the user added
/// (<see cref="PinnedFacets"/>) and of the range's most common attributes, each value keeping or excluding itself in the
/// query; and the control that adds a facet. The Signals page shows its signals' facets with it (their values only).
/// </summary>
public partial class LogFacets
{
    /// <summary>Values shown per attribute facet the panel chose: attributes are often high-cardinality (ports, ids).</summary>
    private const int AttributeValues = 5;

    /// <summary>The most fields the add control offers, most common first.</summary>
    private const int MaxOptions = 60;

    /// <summary>Top values per facet field, in display order. Default: none.</summary>
    [Parameter] public IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Facets { get; set; } = new Dictionary<string, IReadOnlyList<FacetValue>>();

    /// <summary>A facet's title where it is not its field's name (the Signals page's <c>status</c> is "Severity"). Default: none.</summary>
    [Parameter] public IReadOnlyDictionary<string, string> Titles { get; set; } = new Dictionary<string, string>();

    /// <summary>The panel's element id. Default: <c>logs-facets</c>.</summary>
    [Parameter] public string Id { get; set; } = "logs-facets";

    /// <summary>The facets the user added, shown even without values, each with a button removing it. Default: none.</summary>
    [Parameter] public IReadOnlyList<string> Pinned { get; set; } = [];

    /// <summary>Why a facet shows no values (an added facet with too many to count), by facet. Default: none.</summary>
    [Parameter] public IReadOnlyDictionary<string, string> Notes { get; set; } = new Dictionary<string, string>();

    /// <summary>The attributes and tag keys of the range, most common first: what the add control offers. Default: none.</summary>
    [Parameter] public IReadOnlyList<FieldSummary> Fields { get; set; } = [];

    /// <summary>Raised with (field, value) when a value is clicked.</summary>
    [Parameter] public EventCallback<(string Field, string Value)> OnPick { get; set; }

    /// <summary>Raised with (field, value) when a value's exclude button is clicked; without a handler there is none.</summary>
    [Parameter] public EventCallback<(string Field, string Value)> OnExclude { get; set; }

    /// <summary>Raised with a field chosen in the add control; without a handler there is no control.</summary>
    [Parameter] public EventCallback<string> OnPin { get; set; }

    /// <summary>The least and the greatest value of the matches of each facet whose values are numbers: those get a range filter. Default: none.</summary>
    [Parameter] public IReadOnlyDictionary<string, (double Min, double Max)> Ranges { get; set; } = new Dictionary<string, (double Min, double Max)>();

    /// <summary>Raised with a facet and the bounds typed (either may be none) when its range filter is applied; without a handler there is no filter.</summary>
    [Parameter] public EventCallback<(string Field, double? From, double? To)> OnRange { get; set; }

    /// <summary>Raised with an added facet whose remove button is clicked; without a handler there is no such button.</summary>
    [Parameter] public EventCallback<string> OnUnpin { get; set; }

    /// <summary>The facets the user opened past their top values (<see cref="OnMore"/>). Default: none.</summary>
    [Parameter] public IReadOnlySet<string> Opened { get; set; } = new HashSet<string>();

    /// <summary>
    /// The values read for the opened facets, up to <see cref="MoreValues"/> each, most common first, as the search shown
    /// counts them: such a facet shows them, filterable; an opened facet without them says it is reading them. Default: none.
    /// </summary>
    [Parameter] public IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> More { get; set; } = new Dictionary<string, IReadOnlyList<FacetValue>>();

    /// <summary>Why an opened facet has no values past its top ones (too many to list, a fault). Default: none.</summary>
    [Parameter] public IReadOnlyDictionary<string, string> MoreNotes { get; set; } = new Dictionary<string, string>();

    /// <summary>Raised with a facet whose values past its top ones the user asks for (its "Show more"); without a handler no facet offers it.</summary>
    [Parameter] public EventCallback<string> OnMore { get; set; }

    /// <summary>Raised with a facet opened past its top values that the user closes again.</summary>
    [Parameter] public EventCallback<string> OnLess { get; set; }

    /// <summary>How many values a facet opened shows at most.</summary>
    public const int MoreValues = 100;

    /// <summary>What each opened facet's filter holds.</summary>
    private readonly Dictionary<string, string?> _filters = new(StringComparer.Ordinal);

    /// <summary>How many of its top values a facet shows: an attribute the panel chose shows its top five, any other facet all it counted.</summary>
    private static int ShownCount(string field, IReadOnlyList<FacetValue> values, bool pinned) =>
        field.StartsWith('@') && !pinned ? Math.Min(AttributeValues, values.Count) : values.Count;

    /// <summary>Whether a facet may hold more values than it shows: its top ten counted in full, or fewer shown than counted.</summary>
    private static bool MayHaveMore(string field, IReadOnlyList<FacetValue> values, bool pinned) =>
        values.Count >= PinnedFacets.Values || ShownCount(field, values, pinned) < values.Count;

    /// <summary>
    /// The field being added: the add control shows it while it is, then, made afresh (a new key once the pick is done),
    /// its placeholder again, whether or not it rendered the field meanwhile.
    /// </summary>
    private string _adding = "";

    private int _picks;

    private async Task PinAsync(string field)
    {
        _adding = field;
        try
        {
            await OnPin.InvokeAsync(field);
        }
        finally
        {
            _adding = "";
            _picks++;
        }
    }

    /// <summary>What is typed in a facet's range filter, and why it cannot be applied (said until the bounds are edited).</summary>
    private sealed class RangeForm(string errorId)
    {
        public string? From { get; set; }

        public string? To { get; set; }

        public string? Error { get; set; }

        /// <summary>The element that says <see cref="Error"/>, which the inputs name as their description.</summary>
        public string ErrorId { get; } = errorId;

        public void Edited() => Error = null;
    }

    private readonly Dictionary<string, RangeForm> _forms = new(StringComparer.Ordinal);

    private RangeForm FormOf(string field) =>
        _forms.TryGetValue(field, out var form) ? form : _forms[field] = new RangeForm($"facet-range-error-{++_formsMade}");

    private int _formsMade;

    /// <summary>The filters of facets no longer shown with a range (removed, or without numbers now) are forgotten with what was typed in them.</summary>
    protected override void OnParametersSet()
    {
        foreach (var gone in _forms.Keys.Where(f => !Ranges.ContainsKey(f)).ToList())
        {
            _forms.Remove(gone);
        }
        foreach (var closed in _filters.Keys.Where(f => !Opened.Contains(f)).ToList())
        {
            _filters.Remove(closed);
        }
    }

    /// <summary>A bound as shown, as the query writes it.</summary>
    private static string Number(double value) => AttributeValue.FormatNumber(value);

    /// <summary>The bounds typed for <paramref name="field"/>, read as numbers: raised, or what is wrong with them said beside the filter.</summary>
    private async Task ApplyRangeAsync(string field)
    {
        var form = FormOf(field);
        form.Error = (Read(form.From, out var from), Read(form.To, out var to)) switch
        {
            (false, _) => "From: expected a number, such as 250 or 0.5.",
            (_, false) => "To: expected a number, such as 250 or 0.5.",
            _ when from is null && to is null => "Type a bound: from, to, or both.",
            _ when from > to => "From is greater than to.",
            _ => null,
        };
        if (form.Error is null)
        {
            await OnRange.InvokeAsync((field, from, to));
        }
    }

    /// <summary>A bound typed: none when empty, false when not a number.</summary>
    private static bool Read(string? text, out double? value)
    {
        value = AttributeValue.ParseFinite(text);
        return value is not null || string.IsNullOrWhiteSpace(text);
    }

    /// <summary>
    /// The facets shown: every reserved and added one, values or not; an attribute the panel chose only when a match
    /// carries it (it is one of the range's most common attributes, whatever the query).
    /// </summary>
    private IEnumerable<KeyValuePair<string, IReadOnlyList<FacetValue>>> Shown =>
        Facets.Where(f => f.Value.Count > 0 || !f.Key.StartsWith('@') || Pinned.Contains(f.Key));

    /// <summary>
    /// The fields the add control offers: the range's attributes and tag keys not added yet, those the panel shows of its
    /// own too (added, one stays whatever the range's commonest, and a number gets its range filter); Vigil's own flags
    /// left out, and tag keys written like attributes, which a query would read as one.
    /// </summary>
    private List<string> PinOptions =>
        [.. Fields.Where(f => !f.Name.StartsWith("vigil.", StringComparison.Ordinal) && (f.Kind == FieldKind.Attribute || !f.Name.StartsWith('@'))).Select(f => f.QueryName)
            .Where(f => PinnedFacets.CanPin(f) && !Pinned.Contains(f)).Distinct(StringComparer.Ordinal).Take(MaxOptions)];
}
