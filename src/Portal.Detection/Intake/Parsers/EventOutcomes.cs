namespace Portal.Detection.Intake.Parsers;

/// <summary>Values of Datadog's standard <c>evt.outcome</c> attribute.</summary>
public static class EventOutcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
}
