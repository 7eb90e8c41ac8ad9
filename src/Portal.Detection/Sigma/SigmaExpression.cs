namespace Portal.Detection.Sigma;

/// <summary>
/// A boolean expression over query terms, built from Sigma selections and conditions and written as one Vigil query.
/// The factories simplify as they build (constants fold, nested AND/OR flatten, double negation cancels).
/// </summary>
internal abstract record SigmaExpression
{
    /// <summary>Matches every event.</summary>
    public static readonly SigmaExpression True = new SigmaConstant(true);

    /// <summary>Matches no event.</summary>
    public static readonly SigmaExpression False = new SigmaConstant(false);

    /// <summary>One term in query syntax, e.g. <c>@eventName:ConsoleLogin</c>.</summary>
    public static SigmaExpression Term(string text) => new SigmaTerm(text);

    /// <summary>Every child must match.</summary>
    public static SigmaExpression And(IEnumerable<SigmaExpression> children) => Combine(children, isAnd: true);

    /// <summary>At least one child must match.</summary>
    public static SigmaExpression Or(IEnumerable<SigmaExpression> children) => Combine(children, isAnd: false);

    /// <summary>The child must not match.</summary>
    public static SigmaExpression Not(SigmaExpression child) => child switch
    {
        SigmaNot negation => negation.Child,
        SigmaConstant constant => constant.Value ? False : True,
        _ => new SigmaNot(child),
    };

    /// <summary>The expression in query syntax; AND binds tighter than OR, as in the parser, but groups are bracketed for the reader.</summary>
    public abstract string Render();

    private static SigmaExpression Combine(IEnumerable<SigmaExpression> children, bool isAnd)
    {
        var flat = new List<SigmaExpression>();
        foreach (var child in children)
        {
            switch (child)
            {
                case SigmaConstant constant when constant.Value == isAnd:
                    // The identity of the operator: true in an AND, false in an OR.
                    continue;
                case SigmaConstant:
                    return isAnd ? False : True;
                case SigmaAnd conjunction when isAnd:
                    flat.AddRange(conjunction.Children);
                    break;
                case SigmaOr disjunction when !isAnd:
                    flat.AddRange(disjunction.Children);
                    break;
                default:
                    if (!flat.Contains(child))
                    {
                        flat.Add(child);
                    }
                    break;
            }
        }
        return flat.Count switch
        {
            0 => isAnd ? True : False,
            1 => flat[0],
            _ => isAnd ? new SigmaAnd(flat) : new SigmaOr(flat),
        };
    }
}

/// <summary>A term already written in query syntax.</summary>
internal sealed record SigmaTerm(string Text) : SigmaExpression
{
    /// <inheritdoc />
    public override string Render() => Text;
}

/// <summary>A constant: everything or nothing.</summary>
internal sealed record SigmaConstant(bool Value) : SigmaExpression
{
    /// <inheritdoc />
    public override string Render() => Value ? "*" : "NOT *";
}

/// <summary>A conjunction.</summary>
internal sealed record SigmaAnd(IReadOnlyList<SigmaExpression> Children) : SigmaExpression
{
    /// <inheritdoc />
    public override string Render() => string.Join(" ", Children.Select(c => c is SigmaOr ? $"({c.Render()})" : c.Render()));

    /// <summary>Structural equality, so that duplicate children are recognised.</summary>
    public bool Equals(SigmaAnd? other) => other is not null && Children.SequenceEqual(other.Children);

    /// <inheritdoc />
    public override int GetHashCode() => Children.Count;
}

/// <summary>A disjunction.</summary>
internal sealed record SigmaOr(IReadOnlyList<SigmaExpression> Children) : SigmaExpression
{
    /// <inheritdoc />
    public override string Render() => string.Join(" OR ", Children.Select(c => c is SigmaAnd ? $"({c.Render()})" : c.Render()));

    /// <summary>Structural equality, so that duplicate children are recognised.</summary>
    public bool Equals(SigmaOr? other) => other is not null && Children.SequenceEqual(other.Children);

    /// <inheritdoc />
    public override int GetHashCode() => Children.Count;
}

/// <summary>A negation: <c>-term</c>, or <c>NOT (group)</c>.</summary>
internal sealed record SigmaNot(SigmaExpression Child) : SigmaExpression
{
    /// <inheritdoc />
    public override string Render() => Child is SigmaTerm term ? "-" + term.Text : $"NOT ({Child.Render()})";
}
