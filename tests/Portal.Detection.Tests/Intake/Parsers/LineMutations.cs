namespace Portal.Detection.Tests.Intake.Parsers;

/// <summary>Lines and random mutations of them, for holding a hand-written reader to the pattern it stands for.</summary>
internal static class LineMutations
{
    /// <summary>
    /// Each of <paramref name="lines"/> as it is, then <paramref name="perLine"/> mutations of it: one to three edits, each
    /// removing a character, replacing one with a piece of <paramref name="pieces"/>, or inserting a piece.
    /// </summary>
    public static IEnumerable<string> Of(IEnumerable<string> lines, int perLine, string[] pieces, int seed)
    {
        var random = new Random(seed);
        foreach (var line in lines)
        {
            yield return line;
            for (var i = 0; i < perLine; i++)
            {
                var mutated = line;
                for (var edits = random.Next(1, 4); edits > 0; edits--)
                {
                    var at = random.Next(mutated.Length + 1);
                    mutated = random.Next(3) switch
                    {
                        0 when mutated.Length > 0 => mutated.Remove(Math.Min(at, mutated.Length - 1), 1),
                        1 when at < mutated.Length => mutated[..at] + pieces[random.Next(pieces.Length)] + mutated[(at + 1)..],
                        _ => mutated.Insert(at, pieces[random.Next(pieces.Length)]),
                    };
                }
                yield return mutated;
            }
        }
    }
}
