using System.Globalization;

namespace Portal.Search.Journal;

/// <summary>A point in a journal: the file's sequence number and the byte offset just after a record.</summary>
public readonly record struct JournalPosition(long File, long Offset) : IComparable<JournalPosition>
{
    /// <summary>The start of the journal.</summary>
    public static readonly JournalPosition Start = new(0, 0);

    /// <inheritdoc />
    public int CompareTo(JournalPosition other) => File != other.File ? File.CompareTo(other.File) : Offset.CompareTo(other.Offset);

    public static bool operator <(JournalPosition a, JournalPosition b) => a.CompareTo(b) < 0;

    public static bool operator >(JournalPosition a, JournalPosition b) => a.CompareTo(b) > 0;

    public static bool operator <=(JournalPosition a, JournalPosition b) => a.CompareTo(b) <= 0;

    public static bool operator >=(JournalPosition a, JournalPosition b) => a.CompareTo(b) >= 0;

    /// <summary>"file:offset", as kept in index commit data.</summary>
    public override string ToString() => $"{File.ToString(CultureInfo.InvariantCulture)}:{Offset.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <see cref="ToString"/>'s form; <see cref="Start"/> for anything else.</summary>
    public static JournalPosition Parse(string? text)
    {
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        return colon > 0
            && long.TryParse(text.AsSpan(0, colon), NumberStyles.Integer, CultureInfo.InvariantCulture, out var file)
            && long.TryParse(text.AsSpan(colon + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var offset)
                ? new JournalPosition(file, offset)
                : Start;
    }
}
