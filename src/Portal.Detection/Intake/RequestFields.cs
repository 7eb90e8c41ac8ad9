namespace Portal.Detection.Intake;

/// <summary>
/// What an intake request says of all its events, in its query string as Datadog's intake takes it: <c>ddtags</c>, added
/// to every event, and <c>ddsource</c>, <c>service</c> and <c>hostname</c> (or <c>host</c>, as Heroku's drains send it),
/// the source, service and host of every event that does not name its own. Each is trimmed, and absent when blank.
/// </summary>
public sealed record RequestFields
{
    private RequestFields(string? tags, string? source, string? service, string? host) =>
        (Tags, Source, Service, Host) = (tags, source, service, host);

    /// <summary>The request's tags, a comma-separated list.</summary>
    public string? Tags { get; }

    /// <summary>The source of events without one: it chooses their parser.</summary>
    public string? Source { get; }

    /// <summary>The service of events without one.</summary>
    public string? Service { get; }

    /// <summary>The host of events without one.</summary>
    public string? Host { get; }

    /// <summary>The fields, or null when every one is blank.</summary>
    public static RequestFields? Of(string? tags, string? source = null, string? service = null, string? host = null)
    {
        (tags, source, service, host) = (IntakeFields.Trimmed(tags), IntakeFields.Trimmed(source), IntakeFields.Trimmed(service), IntakeFields.Trimmed(host));
        return tags is null && source is null && service is null && host is null ? null : new(tags, source, service, host);
    }

    /// <summary>A request's tags alone (<see cref="Of"/>).</summary>
    public static implicit operator RequestFields?(string? tags) => Of(tags);
}
