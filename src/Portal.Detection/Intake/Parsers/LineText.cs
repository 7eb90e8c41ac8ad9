namespace Portal.Detection.Intake.Parsers;

/// <summary>What the hand-written line readers (sshd, access logs) ask of a line, in their patterns' terms.</summary>
internal static class LineText
{
    /// <summary>Whether the line holds <paramref name="c"/> at <paramref name="at"/> (false past its end).</summary>
    public static bool Is(string line, int at, char c) => at < line.Length && line[at] == c;

    /// <summary>The end of the run of <c>\S</c> (anything but Unicode white space, as the patterns read it) from <paramref name="at"/>.</summary>
    public static int NonSpaces(string line, int at)
    {
        while (at < line.Length && !char.IsWhiteSpace(line[at]))
        {
            at++;
        }
        return at;
    }
}
