namespace Portal.Detection.Intake.Parsers;

/// <summary>
/// CloudTrail records arrive as attributes already (<c>@eventName</c>, <c>@userIdentity.arn</c>...);
/// this adds the standard attributes rules share across sources and a readable message.
/// </summary>
internal static class CloudTrailParser
{
    /// <summary>Adds <c>evt.name</c>, <c>evt.outcome</c>, <c>network.client.ip</c>, <c>usr.id</c>, <c>usr.name</c> and, when absent, a message and timestamp.</summary>
    public static void Parse(IntakeDraft draft)
    {
        if (draft.Text("eventName") is null)
        {
            // Some shippers put the whole record, as JSON text, in the message.
            JsonMessageParser.Parse(draft);
        }
        if (draft.Text("eventName") is not { } eventName)
        {
            // Not a record (a digest file, a line of text): nothing to add.
            return;
        }
        var errorCode = draft.Text("errorCode");
        var failed = errorCode is not null || draft.Text("responseElements.ConsoleLogin") == "Failure";
        draft.AddText("evt.name", eventName);
        draft.AddText("evt.outcome", failed ? EventOutcomes.Failure : EventOutcomes.Success);

        // Calls made by AWS services carry a service name here ("ec2.amazonaws.com"), not an address.
        var source = draft.Text("sourceIPAddress");
        if (source is not null && LineText.IsAddress(source))
        {
            draft.AddText("network.client.ip", source);
        }
        // AWS services acting on their own behalf have neither an ARN nor a principal, only invokedBy.
        var user = draft.Text("userIdentity.arn") ?? draft.Text("userIdentity.principalId") ?? draft.Text("userIdentity.invokedBy");
        draft.AddText("usr.id", user);
        draft.AddText("usr.name", draft.Text("userIdentity.userName"));

        if (draft.Timestamp is null && draft.Text("eventTime") is { } eventTime)
        {
            draft.Timestamp = IntakeTimestamps.FromText(eventTime);
        }
        draft.Message ??= Summary(eventName, user ?? draft.Text("userIdentity.type"), source, errorCode);
        if (failed)
        {
            draft.Status ??= LogStatuses.Warn;
        }
    }

    private static string Summary(string eventName, string? user, string? source, string? errorCode)
    {
        var text = eventName;
        if (user is not null)
        {
            text += " by " + user;
        }
        if (source is not null)
        {
            text += " from " + source;
        }
        return errorCode is null ? text : $"{text} failed: {errorCode}";
    }
}
