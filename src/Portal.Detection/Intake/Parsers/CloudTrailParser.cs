namespace Portal.Detection.Intake.Parsers;

/// <summary>
/// CloudTrail records arrive as attributes already (<c>@eventName</c>, <c>@userIdentity.arn</c>...);
/// this adds the standard attributes rules share across sources and a readable message.
/// </summary>
internal static class CloudTrailParser
{
    /// <summary>
    /// The record's fields read, in the order of <see cref="Fields"/>: noted by the draft as a reader adds them
    /// (<see cref="IntakeDraft.NotedPaths"/>), or else all found in one walk of the event's leaves.
    /// </summary>
    internal static readonly string[] Paths =
    [
        "eventName", "errorCode", "responseElements.ConsoleLogin", "sourceIPAddress", "userIdentity.arn", "userIdentity.principalId",
        "userIdentity.invokedBy", "userIdentity.userName", "userIdentity.type", "eventTime",
    ];

    /// <summary>Adds <c>evt.name</c>, <c>evt.outcome</c>, <c>network.client.ip</c>, <c>usr.id</c>, <c>usr.name</c> and, when absent, a message and timestamp.</summary>
    public static void Parse(IntakeDraft draft)
    {
        var record = new Fields();
        draft.Texts(Paths, record);
        if (record[0] is null)
        {
            // Some shippers put the whole record, as JSON text, in the message.
            JsonMessageParser.Parse(draft);
            draft.Texts(Paths, record);
        }
        if (record[0] is not { } eventName)
        {
            // Not a record (a digest file, a line of text): nothing to add.
            return;
        }
        var (errorCode, consoleLogin, source, arn, principal, invokedBy, userName, userType, eventTime) =
            (record[1], record[2], record[3], record[4], record[5], record[6], record[7], record[8], record[9]);
        var failed = errorCode is not null || consoleLogin == "Failure";
        draft.AddText("evt.name", eventName);
        draft.AddText("evt.outcome", failed ? EventOutcomes.Failure : EventOutcomes.Success);

        // Calls made by AWS services carry a service name here ("ec2.amazonaws.com"), not an address.
        if (source is not null && LineText.IsAddress(source))
        {
            draft.AddText("network.client.ip", source);
        }
        // AWS services acting on their own behalf have neither an ARN nor a principal, only invokedBy.
        var user = arn ?? principal ?? invokedBy;
        draft.AddText("usr.id", user);
        draft.AddText("usr.name", userName);

        if (draft.Timestamp is null && eventTime is not null)
        {
            draft.Timestamp = IntakeTimestamps.FromText(eventTime);
        }
        draft.Message ??= Summary(eventName, user ?? userType, source, errorCode);
        if (failed)
        {
            draft.Status ??= LogStatuses.Warn;
        }
    }

    /// <summary>Made in one piece: <c>GetObject by arn:... from 203.0.113.5 failed: AccessDenied</c>.</summary>
    private static string Summary(string eventName, string? user, string? source, string? errorCode) =>
        string.Concat(
            [eventName, user is null ? "" : " by ", user ?? "", source is null ? "" : " from ", source ?? "", errorCode is null ? "" : " failed: ", errorCode ?? ""]);

    [System.Runtime.CompilerServices.InlineArray(10)]
    private struct Fields
    {
        private string? _first;
    }
}
