namespace Portal.Detection.Query;

/// <summary>A query that cannot be parsed. <see cref="Position"/> is the zero-based offset of the fault.</summary>
public sealed class QuerySyntaxException : Exception
{
    public QuerySyntaxException(string message, int position)
        : base($"{message} (at position {position})")
    {
        Reason = message;
        Position = position;
    }

    public QuerySyntaxException()
    {
        Reason = "invalid query";
    }

    public QuerySyntaxException(string message)
        : base(message)
    {
        Reason = message;
    }

    public QuerySyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>The fault without its position.</summary>
    public string Reason { get; }

    /// <summary>Zero-based offset in the query text.</summary>
    public int Position { get; }
}
