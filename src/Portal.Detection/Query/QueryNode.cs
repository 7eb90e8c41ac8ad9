using Portal.Detection.Events;

namespace Portal.Detection.Query;

/// <summary>A node of a parsed log query. <see cref="Position"/> is the zero-based offset in the query text.</summary>
public abstract record QueryNode(int Position);

/// <summary>Every child must match (explicit <c>AND</c> or juxtaposition).</summary>
public sealed record AndNode(IReadOnlyList<QueryNode> Children, int Position) : QueryNode(Position);

/// <summary>At least one child must match.</summary>
public sealed record OrNode(IReadOnlyList<QueryNode> Children, int Position) : QueryNode(Position);

/// <summary>The child must not match (<c>NOT</c> or a leading <c>-</c>).</summary>
public sealed record NotNode(QueryNode Child, int Position) : QueryNode(Position);

/// <summary>Matches everything: the empty query or <c>*</c>.</summary>
public sealed record MatchAllNode(int Position) : QueryNode(Position);

/// <summary>
/// A value test on a field: exact, prefix (trailing <c>*</c>), wildcard pattern or quoted phrase.
/// For <see cref="TermKind.Wildcard"/> and <see cref="TermKind.MessagePattern"/> the value is a <see cref="WildcardPattern"/> (<c>*</c>, <c>?</c>, <c>\</c> escapes).
/// </summary>
public sealed record TermNode(FieldRef Field, string Value, TermKind Kind, int Position) : QueryNode(Position);

/// <summary>
/// A numeric or date range on an attribute, from <c>[a TO b]</c>, <c>{a TO b}</c> or a comparison
/// (<c>@http.status_code:>=500</c>). Dates are epoch milliseconds; a missing bound is open.
/// </summary>
public sealed record RangeNode(FieldRef Field, double? Lower, bool IncludeLower, double? Upper, bool IncludeUpper, int Position) : QueryNode(Position)
{
    /// <summary>True when <paramref name="value"/> lies within the bounds.</summary>
    public bool Contains(double value) =>
        (Lower is not { } low || (IncludeLower ? value >= low : value > low))
        && (Upper is not { } high || (IncludeUpper ? value <= high : value < high));
}

/// <summary>An IP attribute within one of the networks: <c>CIDR(@network.client.ip, 10.0.0.0/8, 192.168.0.0/16)</c>.</summary>
public sealed record CidrNode(FieldRef Field, IReadOnlyList<IpRange> Networks, int Position) : QueryNode(Position)
{
    /// <summary>Value equality over the networks, so equal queries compare equal.</summary>
    public bool Equals(CidrNode? other) =>
        other is not null && Field == other.Field && Position == other.Position && Networks.SequenceEqual(other.Networks);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Field, Position, Networks.Count);
}

/// <summary>The field has a value: <c>@usr.name:*</c>.</summary>
public sealed record ExistsNode(FieldRef Field, int Position) : QueryNode(Position);

/// <summary>How a <see cref="TermNode"/> compares its value.</summary>
public enum TermKind
{
    /// <summary>Equal value (facets) or contained word sequence (free text).</summary>
    Exact,
    /// <summary>Value starts with the text before the trailing <c>*</c>.</summary>
    Prefix,
    /// <summary>A quoted value: an exact value for facets, a word sequence for free text.</summary>
    Phrase,
    /// <summary>A pattern with <c>*</c> (any run) and <c>?</c> (one character) anywhere: a value for facets, a word for free text.</summary>
    Wildcard,
    /// <summary>
    /// A free-text pattern holding a space or punctuation (<c>*stopping\ iptables*</c>, <c>*$\{jndi\:*</c>): it is matched
    /// against the whole lower-cased message rather than word by word, so it finds any substring.
    /// </summary>
    MessagePattern,
}

/// <summary>What a field name in a query refers to.</summary>
public enum FieldKind
{
    /// <summary>Words of the message (no field, or <c>message:</c>).</summary>
    FreeText,
    /// <summary>A reserved attribute: <c>host</c>, <c>service</c>, <c>source</c>, <c>status</c>.</summary>
    Reserved,
    /// <summary>A tag, <c>env:prod</c>: the field name is the tag key.</summary>
    Tag,
    /// <summary>An attribute, <c>@network.client.ip</c>: the name is the path without the <c>@</c>.</summary>
    Attribute,
}

/// <summary>The field of a term.</summary>
public sealed record FieldRef(FieldKind Kind, string Name)
{
    /// <summary>The free-text pseudo field.</summary>
    public static readonly FieldRef FreeText = new(FieldKind.FreeText, "message");

    /// <summary>The field as written in a query.</summary>
    public override string ToString() => Kind == FieldKind.Attribute ? "@" + Name : Name;
}
