namespace Portal.Detection.Sigma;

/// <summary>Collects the diagnostics of one conversion.</summary>
internal sealed class SigmaDiagnostics
{
    private readonly List<SigmaDiagnostic> _items = [];

    /// <summary>Everything reported so far.</summary>
    public IReadOnlyList<SigmaDiagnostic> Items => _items;

    /// <summary>True when something prevents the conversion.</summary>
    public bool HasBlocking => _items.Any(d => d.Kind is SigmaDiagnosticKind.Unsupported or SigmaDiagnosticKind.Invalid);

    /// <summary>Reports information that does not change matching.</summary>
    public void Note(string location, string message) => Add(SigmaDiagnosticKind.Note, location, message);

    /// <summary>Reports a representation that matches differently from the Sigma rule.</summary>
    public void Inexact(string location, string message) => Add(SigmaDiagnosticKind.Inexact, location, message);

    /// <summary>Reports something that cannot be represented.</summary>
    public void Unsupported(string location, string message) => Add(SigmaDiagnosticKind.Unsupported, location, message);

    /// <summary>Reports input that is not a valid Sigma rule.</summary>
    public void Invalid(string location, string message) => Add(SigmaDiagnosticKind.Invalid, location, message);

    private void Add(SigmaDiagnosticKind kind, string location, string message)
    {
        // The same approximation met twice in one selection (every value of a keyword list) is reported once.
        if (!_items.Any(d => d.Kind == kind && d.Location == location && d.Message == message))
        {
            _items.Add(new SigmaDiagnostic(kind, location, message));
        }
    }
}
