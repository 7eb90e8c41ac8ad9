using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Components;

namespace Portal.Web.Components.Shared;

/// <summary>
/// Attributes as a folding tree (the log detail, the signal drawer), each value able to narrow the search by itself or
/// to exclude itself (<see cref="OnFilter"/>).
/// </summary>
public partial class AttributeTree
{
    /// <summary>Objects and arrays the user folded, by where they stand in the document shown; everything starts unfolded.</summary>
    private readonly HashSet<string> _folded = new(StringComparer.Ordinal);

    /// <summary>The attributes <see cref="_folded"/> refers to.</summary>
    private JsonObject? _shown;

    /// <summary>The attributes shown. Default: none.</summary>
    [Parameter] public JsonObject Attributes { get; set; } = [];

    /// <summary>
    /// Raised with the query term a value's filter or exclude button makes (<c>@http.method:GET</c>,
    /// <c>-@usr.name:"o'brien admin"</c>, <see cref="QueryCompletion.Term"/>); without a handler the values have no buttons.
    /// </summary>
    [Parameter] public EventCallback<string> OnFilter { get; set; }

    /// <summary>
    /// Raised with an attribute's path (<c>usr.name</c>) when the user shows it as a column of the list, or removes that
    /// column (<see cref="Columns"/>); without a handler the values have no column button.
    /// </summary>
    [Parameter] public EventCallback<string> OnToggleColumn { get; set; }

    /// <summary>The attribute paths shown as columns, whose buttons remove them. Default: none.</summary>
    [Parameter] public IReadOnlyCollection<string> Columns { get; set; } = [];

    /// <summary>The element's id. Default: none.</summary>
    [Parameter] public string? Id { get; set; }

    protected override void OnParametersSet()
    {
        // Another event's attributes start unfolded: its objects are not the ones folded.
        if (!ReferenceEquals(_shown, Attributes))
        {
            _folded.Clear();
            _shown = Attributes;
        }
    }

    /// <summary>
    /// A row's indent (<c>--indent</c>, which the stylesheet takes from the key's width so that values line up at every
    /// depth): a leaf's key lines up with its sibling branches' keys, after their fold arrow.
    /// </summary>
    private static string Indent(int depth, bool leaf = false) => $"--indent: {depth * 16 + (leaf ? 20 : 0)}px";

    private void Toggle(string key)
    {
        if (!_folded.Remove(key))
        {
            _folded.Add(key);
        }
    }
}
