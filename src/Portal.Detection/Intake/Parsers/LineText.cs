using System.Globalization;

namespace Portal.Detection.Intake.Parsers;

/// <summary>What the hand-written line readers (sshd, access logs) ask of a line, in their patterns' terms.</summary>
internal static class LineText
{
    /// <summary>
    /// The number <paramref name="text"/> writes in ASCII digits alone (no sign, no spaces, leading zeros allowed), as
    /// <see cref="NumberStyles.None"/> reads a run of digits, when it is at most <paramref name="max"/>; false for anything
    /// else. A parser's ports, pids, statuses and sizes, read without the framework's number parser and its culture's format.
    /// </summary>
    public static bool TryDigits(ReadOnlySpan<char> text, long max, out long value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }
        foreach (var c in text)
        {
            var digit = (uint)(c - '0');
            if (digit > 9 || value > (max - digit) / 10)
            {
                value = 0;
                return false;
            }
            value = value * 10 + digit;
        }
        return true;
    }

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

    /// <summary>
    /// Whether <paramref name="text"/> is an IP address, as <see cref="System.Net.IPAddress.IsValid(ReadOnlySpan{char})"/>
    /// says; the usual dotted IPv4 form (four numbers of 0 to 255 without leading zeros) is told without its general parser.
    /// </summary>
    public static bool IsAddress(ReadOnlySpan<char> text) => IsDottedQuad(text) || System.Net.IPAddress.IsValid(text);

    /// <summary>Four decimal numbers of 0 to 255, without leading zeros, joined by dots: always an IPv4 address.</summary>
    internal static bool IsDottedQuad(ReadOnlySpan<char> text)
    {
        if (text.Length is < 7 or > 15)
        {
            return false;
        }
        var at = 0;
        for (var part = 0; part < 4; part++)
        {
            if (part > 0)
            {
                if (at >= text.Length || text[at] != '.')
                {
                    return false;
                }
                at++;
            }
            var start = at;
            var value = 0;
            while (at < text.Length && at - start < 3 && char.IsAsciiDigit(text[at]))
            {
                value = value * 10 + (text[at++] - '0');
            }
            var digits = at - start;
            if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0'))
            {
                return false;
            }
        }
        return at == text.Length;
    }
}
