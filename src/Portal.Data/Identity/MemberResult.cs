namespace Portal.Data.Identity;

/// <summary>Who asks for a change to the members: their user id and the role their session carries.</summary>
public sealed record MemberActor(Guid UserId, string Role);

/// <summary>How a member or invitation change ended.</summary>
public enum MemberOutcome
{
    Done,
    Invalid,
    Forbidden,
    NotFound,
}

/// <summary>
/// The outcome of a change to the members or invitations, with errors keyed by field (<c>Email</c>, <c>Role</c>,
/// <c>Member</c>, <c>Invitation</c>) for the UI, and the new invitation and its one-time token when one was issued.
/// </summary>
public sealed record MemberResult(MemberOutcome Outcome, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Succeeded => Outcome == MemberOutcome.Done;

    /// <summary>The invitation issued, for invitations and re-sends.</summary>
    public Invitation? Invitation { get; init; }

    /// <summary>The invitation link's token; shown once, never stored.</summary>
    public string? Token { get; init; }

    public static MemberResult Done { get; } = new(MemberOutcome.Done, new Dictionary<string, string[]>());

    public static MemberResult NotFound { get; } = new(MemberOutcome.NotFound, new Dictionary<string, string[]>());

    public static MemberResult Fail(MemberOutcome outcome, string field, string message) => new(outcome, new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>Whether an invitation link can still be used.</summary>
public enum InvitationState
{
    Valid,
    Unknown,
    Expired,
    Revoked,
    Used,
}

/// <summary>An invitation found by its link's token, with its organisation; both null when the token is unknown.</summary>
public sealed record InvitationLookup(InvitationState State, Invitation? Invitation, Tenancy.Tenant? Tenant);

/// <summary>The outcome of accepting an invitation: the new member, or why not (the state, or errors by field).</summary>
public sealed record InvitationAcceptance(InvitationState State, VigilUser? User, Tenancy.Tenant? Tenant, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Succeeded => User is not null;
}
