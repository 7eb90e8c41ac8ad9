using Portal.Detection.Events;
using Portal.Detection.Query;

namespace Portal.Detection.Rules;

/// <summary>Field names as written in group-by and distinct lists: <c>host</c>, <c>env</c> (a tag key), <c>@usr.name</c>.</summary>
public static class FieldNames
{
    /// <summary>Resolves a field name, or null when it is not one.</summary>
    public static FieldRef? TryParse(string name)
    {
        if (name.StartsWith('@'))
        {
            var path = name[1..];
            return path.Length > 0 && !path.StartsWith('.') && !path.EndsWith('.') ? new FieldRef(FieldKind.Attribute, path) : null;
        }
        if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || c == ':'))
        {
            return null;
        }
        if (name == ReservedAttributes.Message)
        {
            return FieldRef.FreeText;
        }
        return new FieldRef(ReservedAttributes.IsFacet(name) ? FieldKind.Reserved : FieldKind.Tag, name);
    }

    /// <summary>The first value of <paramref name="field"/> in <paramref name="e"/>, or null.</summary>
    public static string? FirstValue(FieldRef field, LogEvent e) => field.Kind switch
    {
        FieldKind.Attribute => e.GetAttribute(field.Name).FirstText,
        FieldKind.Tag => FirstTagValue(field.Name, e.Tags),
        _ => e.GetReserved(field.Name),
    };

    /// <summary>The value of the first <c>key:value</c> tag with <paramref name="key"/>, or null.</summary>
    private static string? FirstTagValue(string key, IReadOnlyList<string> tags)
    {
        for (var i = 0; i < tags.Count; i++)
        {
            if (TagValue(key, tags[i]) is { } value)
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>The value of <paramref name="tag"/> when it is <c>key:value</c> for <paramref name="key"/>, or null.</summary>
    public static string? TagValue(string key, string tag) =>
        tag.Length > key.Length && tag[key.Length] == ':' && tag.StartsWith(key, StringComparison.Ordinal) ? tag[(key.Length + 1)..] : null;

    /// <summary>The first finite numeric value of <paramref name="field"/> in <paramref name="e"/> (a JSON number or numeric text), or null.</summary>
    public static double? FirstNumber(FieldRef field, LogEvent e)
    {
        if (field.Kind == FieldKind.Attribute)
        {
            foreach (var value in e.GetAttribute(field.Name))
            {
                if (value.FiniteNumber is { } number)
                {
                    return number;
                }
            }
            return null;
        }
        return AttributeValue.ParseFinite(FirstValue(field, e));
    }
}
