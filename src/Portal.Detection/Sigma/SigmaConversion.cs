using Portal.Detection.Rules;

namespace Portal.Detection.Sigma;

/// <summary>How faithfully a Sigma rule became a Vigil rule.</summary>
public enum SigmaConversionStatus
{
    /// <summary>Every selection, modifier and condition is represented exactly (see docs/SIGMA.md for the mapping choices).</summary>
    Lossless,

    /// <summary>A rule was produced, but at least one diagnostic says its matching differs from the Sigma rule.</summary>
    Partial,

    /// <summary>No rule: something the Sigma rule needs cannot be expressed in Vigil's query language.</summary>
    Unsupported,

    /// <summary>No rule: the text is not valid YAML or not a Sigma rule.</summary>
    Invalid,
}

/// <summary>What a diagnostic does to the conversion.</summary>
public enum SigmaDiagnosticKind
{
    /// <summary>Information only; matching is unchanged.</summary>
    Note,

    /// <summary>The Vigil rule matches differently from the Sigma rule (the conversion is <see cref="SigmaConversionStatus.Partial"/>).</summary>
    Inexact,

    /// <summary>The construct cannot be represented (the conversion is <see cref="SigmaConversionStatus.Unsupported"/>).</summary>
    Unsupported,

    /// <summary>The input is not a valid Sigma rule (the conversion is <see cref="SigmaConversionStatus.Invalid"/>).</summary>
    Invalid,
}

/// <summary>One thing the converter could not carry over as it is, and where it is in the Sigma rule.</summary>
/// <param name="Kind">Whether it changes matching or prevents the conversion.</param>
/// <param name="Location">Where: the line and the YAML path, e.g. <c>line 19, detection.selection.c-uri|re</c>.</param>
/// <param name="Message">What could not be represented, and what was done instead.</param>
public sealed record SigmaDiagnostic(SigmaDiagnosticKind Kind, string Location, string Message)
{
    /// <summary>The diagnostic as one line: <c>unsupported: line 19, detection.selection.c-uri|re: ...</c>.</summary>
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}: {Location}: {Message}";
}

/// <summary>The result of converting one Sigma rule.</summary>
public sealed class SigmaConversion
{
    /// <summary>The Sigma file the rule came from, when known.</summary>
    public string? FileName { get; init; }

    /// <summary>The Sigma rule's <c>id</c>.</summary>
    public string? SigmaId { get; init; }

    /// <summary>The Sigma rule's <c>title</c>.</summary>
    public string? Title { get; init; }

    /// <summary>The Sigma rule's <c>author</c>, which the Detection Rule License requires to be kept (it is also in the rule's message).</summary>
    public string? Author { get; init; }

    /// <summary>The Vigil rule; null when <see cref="Status"/> is <see cref="SigmaConversionStatus.Unsupported"/> or <see cref="SigmaConversionStatus.Invalid"/>.</summary>
    public DetectionRule? Rule { get; init; }

    /// <summary>Everything that could not be represented exactly, in the order met.</summary>
    public IReadOnlyList<SigmaDiagnostic> Diagnostics { get; init; } = [];

    /// <summary>The status the diagnostics imply.</summary>
    public SigmaConversionStatus Status =>
        Diagnostics.Any(d => d.Kind == SigmaDiagnosticKind.Invalid) ? SigmaConversionStatus.Invalid
        : Rule is null || Diagnostics.Any(d => d.Kind == SigmaDiagnosticKind.Unsupported) ? SigmaConversionStatus.Unsupported
        : Diagnostics.Any(d => d.Kind == SigmaDiagnosticKind.Inexact) ? SigmaConversionStatus.Partial
        : SigmaConversionStatus.Lossless;
}
