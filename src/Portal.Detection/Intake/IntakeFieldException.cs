namespace Portal.Detection.Intake;

/// <summary>
/// A field of an intake object has a type or value that cannot be normalised; the HTTP layer
/// answers 400 and names <see cref="Field"/> so the sender can fix its shipper.
/// </summary>
public sealed class IntakeFieldException : Exception
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public IntakeFieldException(string field, string message)
        : base($"{field}: {message}")
    {
        Field = field;
        Reason = message;
    }

    /// <summary>The offending intake field, e.g. <c>ddtags</c>.</summary>
    public string Field { get; }

    /// <summary>What is wrong with the field, without the field name.</summary>
    public string Reason { get; }
}
