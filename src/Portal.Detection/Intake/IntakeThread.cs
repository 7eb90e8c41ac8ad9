using Portal.Detection.Events;

namespace Portal.Detection.Intake;

/// <summary>
/// What a thread keeps between the events it normalises, behind one thread-static reference: its draft, the arrays its
/// drafts fill, its learned placements, its table of recurring values, the parsers of its last sources and its last tag
/// lists. A draft holds its thread's (<see cref="IntakeDraft"/>, read once when the draft is made) and the streamed reader
/// holds the thread's draft for a whole request, so that normalising an event reads none of these through the thread's
/// storage: each such read is a call into the C library on Linux, and an event made about ten.
/// </summary>
/// <remarks>
/// Everything here is used by one normalisation at a time, on its thread: a draft is made and finished on the thread that
/// made it, and a normalisation runs to its end before the next begins.
/// </remarks>
internal sealed class IntakeThread
{
    [ThreadStatic]
    private static IntakeThread? t_current;

    private IntakeThread()
    {
    }

    /// <summary>This thread's.</summary>
    public static IntakeThread Current => t_current ??= new IntakeThread();

    /// <summary>The thread's own draft (<see cref="IntakeDraft.ForThread"/>), reused event after event.</summary>
    public IntakeDraft Draft => _draft ??= new IntakeDraft(this);

    private IntakeDraft? _draft;

    /// <summary>
    /// The streamed reader's reads, numbered (<see cref="StreamedEvents"/>): a node of the thread's tree of paths remembers
    /// the last read that met it, to tell a repeated key.
    /// </summary>
    public long Reads;

    /// <summary>The arrays of leaves' paths and values a draft fills, between drafts (<see cref="IntakeDraft"/>).</summary>
    public string[]? SparePaths;

    /// <inheritdoc cref="SparePaths"/>
    public AttributeValue[]? SpareValues;

    /// <summary>The list of a sender's parsed object's leaves, between drafts.</summary>
    public List<KeyValuePair<string, AttributeValue>>? SpareSentLeaves;

    /// <summary>The state of no leaves of the thread's tree of placements (<see cref="IntakeDraft.Placement"/>), and how many states the tree holds.</summary>
    public IntakeDraft.Placement? PlacementRoot;

    /// <inheritdoc cref="PlacementRoot"/>
    public int PlacementStates;

    /// <summary>The thread's table of recurring values (<see cref="RecurringText.Table"/>).</summary>
    public RecurringText.Entry[] Texts { get; } = RecurringText.Table();

    /// <summary>The parsers of the thread's last sources, known by the source's reference (<see cref="IntakeNormalizer"/>).</summary>
    public (string? Source, Action<IntakeDraft>? Parser)[]? Parsers;

    /// <summary>The tag lists of the thread's last tag texts (<see cref="IntakeNormalizer"/>).</summary>
    public (string? Sent, string? Extra, string[]? Tags)[]? TagLists;

    /// <summary>The time text of the thread's last access line, and its time in UTC (<see cref="Parsers.AccessLogParser"/>).</summary>
    public (string? Text, DateTimeOffset Utc) LastAccessTime;
}
