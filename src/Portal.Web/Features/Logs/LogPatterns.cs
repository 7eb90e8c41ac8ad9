using System.Text;
using Portal.Detection.Intake;
using Portal.Detection.Query;
using Portal.Search;

namespace Portal.Web.Features.Logs;

/// <summary>
/// A pattern of messages, as Datadog's Logs Explorer groups logs into patterns: its words, the variable parts of which
/// are wildcards (<see cref="LogPatterns.Wildcard"/>), how many logs of the sample have it, their commonest status and a
/// few of their messages.
/// </summary>
public sealed record LogPattern(IReadOnlyList<string> Tokens, int Count, string? Status, IReadOnlyList<string> Examples)
{
    /// <summary>The pattern as text, a wildcard written <c>*</c>.</summary>
    public override string ToString() => string.Join(' ', Tokens).Replace(LogPatterns.Wildcard, '*');

    /// <summary>
    /// A query finding every log of this pattern in the window: a whole-message pattern (docs/SEARCH-SYNTAX.md) of its
    /// words in order with any run of characters before, between and after them, each wildcard <c>*</c> and the rest
    /// escaped (<see cref="QueryText.Escape"/>); for words without punctuation, which such a pattern cannot hold, phrases
    /// of its runs of whole words and the patterns of its other words (<see cref="Words"/>). Words past the query's
    /// greatest length are left out. None for a pattern without a letter or digit outside its wildcards, which would read
    /// every log of the window.
    /// </summary>
    /// <remarks>
    /// It may find more than the pattern's logs: those of another pattern holding the same words in the same order (or,
    /// without punctuation, the same phrases in any order).
    /// </remarks>
    public string? Query()
    {
        // The words that fit (each written with a separator), and what they hold decided over those alone.
        var kept = new List<string>();
        var length = 2;
        foreach (var token in Tokens)
        {
            length += Written(token).Sum(part => part?.Length ?? 1) + 3;
            if (length > MaxQueryLength)
            {
                break;
            }
            kept.Add(token);
        }
        if (!kept.Any(t => t.Any(char.IsLetterOrDigit)))
        {
            return null;
        }
        if (!kept.Any(t => t.Any(c => c is not (LogPatterns.Wildcard or '\uFFFD') && !TextTokens.IsWordChar(c))))
        {
            return Words(kept) is { Length: > 0 } words ? Checked(words) : null;
        }
        var query = new StringBuilder("*");
        // A wildcard, unless one ends the query already (an escaped star, "\*", is a literal).
        void Any()
        {
            if (query[^1] != '*' || query.Length > 1 && query[^2] == '\\')
            {
                query.Append('*');
            }
        }
        foreach (var token in kept)
        {
            // Between words any run of characters: white space of any kind and length.
            Any();
            foreach (var part in Written(token))
            {
                if (part is null)
                {
                    Any();
                }
                else
                {
                    query.Append(part);
                }
            }
        }
        Any();
        return Checked(query.ToString());
    }

    /// <summary>
    /// The query of words without punctuation: each run of whole words a phrase (words in order, whatever white space
    /// between them), each word with a wildcard its pattern, words only a wildcard (or a sender's own wildcard character)
    /// left out. The runs are searched together, in any order.
    /// </summary>
    private static string Words(List<string> words)
    {
        var terms = new List<string>();
        var run = new List<string>();
        foreach (var word in words.Append(""))
        {
            if (word.Length > 0 && !word.Contains(LogPatterns.Wildcard) && !word.Contains('\uFFFD'))
            {
                run.Add(word);
                continue;
            }
            if (run.Count > 0)
            {
                terms.Add($"\"{string.Join(' ', run)}\"");
                run.Clear();
            }
            if (!word.Contains('\uFFFD') && word.Any(char.IsLetterOrDigit))
            {
                terms.Add(string.Concat(Written(word).Select(part => part ?? "*")));
            }
        }
        return string.Join(' ', terms);
    }

    /// <summary>A query only as it parses (its words' terms are quoted or hold a wildcard, so no word is taken for AND, OR or NOT), else none.</summary>
    private static string? Checked(string query) => QueryParser.TryParse(query, out _, out _) ? query : null;

    /// <summary>The query's greatest length: a term the Logs Explorer keeps in its address (<see cref="Components.Shared.QueryCompletion.MaxTermValue"/>).</summary>
    private const int MaxQueryLength = Components.Shared.QueryCompletion.MaxTermValue;

    /// <summary>A word's literal runs escaped, and null for each wildcard (a sender's own wildcard character, read as U+FFFD, one too).</summary>
    private static List<string?> Written(string token)
    {
        var parts = new List<string?>();
        var start = 0;
        for (var i = 0; i <= token.Length; i++)
        {
            if (i == token.Length || token[i] is LogPatterns.Wildcard or '\uFFFD')
            {
                if (i > start)
                {
                    parts.Add(QueryText.Escape(token[start..i]));
                }
                if (i < token.Length)
                {
                    parts.Add(null);
                }
                start = i + 1;
            }
        }
        return parts;
    }
}

/// <summary>
/// Groups a sample of messages into patterns, in the manner of Drain (He et al., 2017), which Datadog's patterns resemble:
/// each message's words are split on white space and the runs of characters in a word that hold a digit become wildcards
/// (numbers, addresses, times, ids and hashes whole; in a short run of letters and digits such as <c>db-1</c>, its numbers);
/// messages of the same words then form a group, and a group joins a pattern of as many words, beginning with the same
/// one, when at least half its words are the pattern's (a word that is only a wildcard never counting as the same); the
/// words where they differ become wildcards.
/// </summary>
public static class LogPatterns
{
    /// <summary>The view's name in the address (<c>viz=patterns</c>).</summary>
    public const string ViewName = "patterns";

    /// <summary>The character standing for a variable part of a word (a private-use one; a message's own is read as U+FFFD, <see cref="Mask"/>).</summary>
    public const char Wildcard = '\uE000';

    /// <summary>The latest matches a pattern view reads (Datadog computes its patterns on a sample of this order).</summary>
    public const int SampleSize = 2_000;

    /// <summary>The words of a message a pattern considers; the rest of a longer message is one wildcard.</summary>
    public const int MaxTokens = 40;

    /// <summary>The messages kept as examples of a pattern.</summary>
    public const int MaxExamples = 3;

    /// <summary>The least share of a pattern's words a group must have to join it.</summary>
    private const double Similarity = 0.5;

    /// <summary>The characters of a message a pattern considers.</summary>
    internal const int MaxMessageChars = 2_000;

    private static readonly System.Buffers.SearchValues<char> WhiteSpace =
        System.Buffers.SearchValues.Create([.. Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(char.IsWhiteSpace)]);

    /// <summary>The patterns of <paramref name="logs"/>, commonest first (ties by their text), at most <paramref name="limit"/>.</summary>
    public static List<LogPattern> Find(IEnumerable<LogLine> logs, int limit = 50)
    {
        // Messages of the same masked words first (words hold no white space, so joined with a space they say which), so
        // that the commonest shape of a pattern founds it.
        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        foreach (var (message, status) in logs)
        {
            var tokens = Mask(message ?? "");
            var key = string.Join(' ', tokens);
            if (!groups.TryGetValue(key, out var group))
            {
                groups[key] = group = new Group(tokens);
            }
            group.Add(message ?? "", status);
        }
        // A group can join only a pattern of as many words and the same first one, which joining never changes: the
        // patterns are looked up by both, each list in the order the patterns were founded.
        var patterns = new List<Group>();
        var alike = new Dictionary<(int Length, string First), List<Group>>();
        foreach (var (key, group) in groups.OrderByDescending(g => g.Value.Count).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var shape = (group.Tokens.Length, group.Tokens.Length > 0 ? group.Tokens[0] : "");
            if (!alike.TryGetValue(shape, out var candidates))
            {
                alike[shape] = candidates = [];
            }
            if (candidates.FirstOrDefault(p => Joins(group.Tokens, p.Tokens)) is { } pattern)
            {
                pattern.Absorb(group);
            }
            else
            {
                candidates.Add(group);
                patterns.Add(group);
            }
        }
        return [.. patterns
            .OrderByDescending(p => p.Count).ThenBy(p => string.Join(' ', p.Tokens), StringComparer.Ordinal)
            .Take(limit)
            .Select(p => new LogPattern(p.Tokens, p.Count, p.CommonestStatus, p.Examples))];
    }

    /// <summary>
    /// A message's words (split on white space), each run of characters holding a digit a wildcard; beyond
    /// <see cref="MaxTokens"/> words or <see cref="MaxMessageChars"/> characters (cut at a word's end), the rest one wildcard.
    /// The message's own <see cref="Wildcard"/> characters are read as U+FFFD: a sender cannot write a wildcard.
    /// </summary>
    internal static string[] Mask(string message)
    {
        var words = message.AsSpan();
        var cut = false;
        if (words.Length > MaxMessageChars)
        {
            // At the last white space before the limit: a word is never cut, nor a character's surrogate pair.
            words = words[..MaxMessageChars];
            words = words[..Math.Max(0, words.LastIndexOfAny(WhiteSpace))];
            cut = true;
        }
        var tokens = new List<string>();
        var text = new StringBuilder();
        for (var at = 0; at < words.Length;)
        {
            if (char.IsWhiteSpace(words[at]))
            {
                at++;
                continue;
            }
            var length = words[at..].IndexOfAny(WhiteSpace) is var space and >= 0 ? space : words.Length - at;
            var word = words.Slice(at, length);
            at += length;
            if (word.Contains(Wildcard))
            {
                word = word.ToString().Replace(Wildcard, '\uFFFD');
            }
            if (tokens.Count == MaxTokens)
            {
                cut = true;
                break;
            }
            text.Clear();
            for (var i = 0; i < word.Length;)
            {
                var end = i;
                while (end < word.Length && IsVariable(word[end]))
                {
                    end++;
                }
                if (end == i)
                {
                    text.Append(word[i++]);
                    continue;
                }
                MaskRun(word[i..end], text);
                i = end;
            }
            tokens.Add(text.ToString());
        }
        if (cut && (tokens.Count == 0 || tokens[^1] != WildcardWord))
        {
            tokens.Add(WildcardWord);
        }
        return [.. tokens];
    }

    /// <summary>
    /// Appends a run of <see cref="IsVariable"/> characters, its parts between separators (<c>.</c>, <c>:</c>, <c>_</c>) that
    /// hold a digit made wildcards: whole when they are a number or a long run of hex (an id, a hash), else their digits
    /// (<c>db-1</c>, <c>A256</c>); the separators stay, but not between two wildcards (<c>10:01:25</c> is one).
    /// </summary>
    private static void MaskRun(ReadOnlySpan<char> run, StringBuilder text)
    {
        if (!run.ContainsAnyInRange('0', '9'))
        {
            text.Append(run);
            return;
        }
        var start = text.Length;
        foreach (var range in run.SplitAny(".:_"))
        {
            if (range.Start.Value > 0)
            {
                text.Append(run[range.Start.Value - 1]);
            }
            var part = run[range];
            if (!part.ContainsAnyInRange('0', '9'))
            {
                text.Append(part);
            }
            else if (!part.ContainsAnyExcept(NumberCharacters) || IsHexId(part))
            {
                // Its dashes at either end stay (bastion-12 is bastion-*).
                var inner = part.Trim('-');
                var lead = part.Length - part.TrimStart('-').Length;
                text.Append(part[..lead]).Append(Wildcard).Append(part[(lead + inner.Length)..]);
            }
            else
            {
                MaskNumbers(part, text);
            }
        }
        // A wildcard, a separator, a wildcard: one wildcard.
        for (var i = start; i + 2 < text.Length; i++)
        {
            if (text[i] == Wildcard && text[i + 1] is '.' or ':' or '_' && text[i + 2] == Wildcard)
            {
                text.Remove(i + 1, 2);
                i--;
            }
        }
    }

    private static readonly System.Buffers.SearchValues<char> NumberCharacters = System.Buffers.SearchValues.Create("0123456789-");

    /// <summary>Appends <paramref name="part"/>, each of its runs of digits a wildcard.</summary>
    private static void MaskNumbers(ReadOnlySpan<char> part, StringBuilder text)
    {
        for (var i = 0; i < part.Length;)
        {
            if (!char.IsAsciiDigit(part[i]))
            {
                text.Append(part[i++]);
                continue;
            }
            while (i < part.Length && char.IsAsciiDigit(part[i]))
            {
                i++;
            }
            text.Append(Wildcard);
        }
    }

    /// <summary>
    /// Whether a part of hex letters, digits and dashes is an id or a hash: at least seven of them besides the dashes (a
    /// commit's short hash), a third of them digits at least (random hex has five eighths; <c>cafe-db-12</c> is a name).
    /// </summary>
    private static bool IsHexId(ReadOnlySpan<char> part)
    {
        var (hex, digits) = (0, 0);
        foreach (var c in part)
        {
            hex += c == '-' ? 0 : 1;
            digits += char.IsAsciiDigit(c) ? 1 : 0;
        }
        return hex >= 7 && 3 * digits >= hex;
    }

    /// <summary>Characters of the runs a digit makes variable: digits, hex letters and the separators of numbers, addresses, times and ids.</summary>
    private static bool IsVariable(char c) => char.IsAsciiHexDigit(c) || c is '.' or ':' or '-' or '_';

    /// <summary>
    /// Whether words <paramref name="tokens"/> join <paramref name="pattern"/>: as many, the same first, and at least half
    /// the same, where a word that is only a wildcard, the same in both, does not count (as Drain's similarity has it:
    /// messages alike only in their variables are not alike).
    /// </summary>
    private static bool Joins(string[] tokens, string[] pattern)
    {
        if (tokens.Length != pattern.Length || tokens.Length > 0 && tokens[0] != pattern[0])
        {
            return false;
        }
        var (same, needed) = (0, Similarity * tokens.Length);
        for (var i = 0; i < tokens.Length && same < needed; i++)
        {
            same += tokens[i] == pattern[i] && tokens[i] != WildcardWord ? 1 : 0;
        }
        return same >= needed;
    }

    private static readonly string WildcardWord = Wildcard.ToString();

    /// <summary>Messages of one shape, or a pattern grown from the commonest of them.</summary>
    private sealed class Group(string[] tokens)
    {
        public string[] Tokens { get; } = tokens;

        public int Count { get; private set; }

        public List<string> Examples { get; } = [];

        private readonly Dictionary<string, int> _statuses = new(StringComparer.Ordinal);

        public string? CommonestStatus => _statuses.Count == 0 ? null
            : _statuses.OrderByDescending(s => s.Value).ThenBy(s => LogStatuses.SeverityRank(s.Key)).First().Key;

        public void Add(string message, string? status)
        {
            Count++;
            if (Examples.Count < MaxExamples && !Examples.Contains(message, StringComparer.Ordinal))
            {
                Examples.Add(message);
            }
            if (status is not null)
            {
                _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
            }
        }

        /// <summary>Takes <paramref name="other"/>'s logs; the words where the two differ become wildcards.</summary>
        public void Absorb(Group other)
        {
            for (var i = 0; i < Tokens.Length; i++)
            {
                if (Tokens[i] != other.Tokens[i])
                {
                    Tokens[i] = WildcardWord;
                }
            }
            Count += other.Count;
            foreach (var example in other.Examples.Where(e => !Examples.Contains(e, StringComparer.Ordinal)).Take(MaxExamples - Examples.Count))
            {
                Examples.Add(example);
            }
            foreach (var (status, count) in other._statuses)
            {
                _statuses[status] = _statuses.GetValueOrDefault(status) + count;
            }
        }
    }
}
