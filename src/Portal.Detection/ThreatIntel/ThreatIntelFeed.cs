using Portal.Detection.Events;
using Portal.Detection.Files;

namespace Portal.Detection.ThreatIntel;

/// <summary>The indicators read from feed files, and every line that could not be read.</summary>
public sealed record ThreatIntelFeedResult(IReadOnlyList<ThreatIndicator> Indicators, IReadOnlyList<FileError> Errors);

/// <summary>
/// Reads threat-intelligence feeds in the plain formats they are published in:
/// <list type="bullet">
/// <item>one address or CIDR network per line, with <c>#</c> and <c>;</c> comments, whole-line or trailing
/// (Spamhaus DROP, FireHOL netsets, abuse.ch's Feodo Tracker IP blocklist);</item>
/// <item>CSV whose header names an <c>ip</c> (or <c>indicator</c>) column and optionally <c>category</c>,
/// <c>intention</c> and <c>source</c> columns.</item>
/// </list>
/// Plain lists carry no category: a comment <c># category: scanner</c> (likewise <c>intention</c>, <c>source</c>)
/// sets one for the lines after it, as does FireHOL's own <c># Category : attacks</c> header. Without one an entry is
/// <c>unknown</c>, <c>malicious</c> (a blocklist lists what it blocks), from a source named after the file.
/// A bad line is reported with its file and line number and the rest of the file is still read.
/// </summary>
public static class ThreatIntelFeed
{
    /// <summary>The category of entries whose feed does not say.</summary>
    public const string UnknownCategory = "unknown";

    private static readonly string[] AddressColumns = ["ip", "indicator"];

    /// <summary>Reads and parses every file of <paramref name="paths"/>, in order.</summary>
    /// <exception cref="FileNotFoundException">A path names no file.</exception>
    public static ThreatIntelFeedResult Read(IEnumerable<string> paths)
    {
        var indicators = new List<ThreatIndicator>();
        var errors = new List<FileError>();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"{path}: no such threat-intelligence feed file", path);
            }
            var feed = Parse(path, File.ReadAllText(path));
            indicators.AddRange(feed.Indicators);
            errors.AddRange(feed.Errors);
        }
        return new ThreatIntelFeedResult(indicators, errors);
    }

    /// <summary>Parses the text of one feed file; <paramref name="path"/> names it in errors and is the default source name.</summary>
    public static ThreatIntelFeedResult Parse(string path, string text)
    {
        var reader = new FeedReader(path);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            reader.Read(i + 1, lines[i].Trim());
        }
        return new ThreatIntelFeedResult(reader.Indicators, reader.Errors);
    }

    /// <summary>The state of one file's reading: the defaults set so far and, once its header is read, the CSV columns.</summary>
    private sealed class FeedReader(string path)
    {
        private string _category = UnknownCategory;
        private string _intention = ThreatIntentions.Malicious;
        private string _source = Path.GetFileNameWithoutExtension(path);
        private bool _started;
        private Columns? _columns;

        public List<ThreatIndicator> Indicators { get; } = [];

        public List<FileError> Errors { get; } = [];

        public void Read(int number, string line)
        {
            if (line.Length == 0)
            {
                return;
            }
            if (line[0] is '#' or ';')
            {
                Directive(number, line[1..]);
                return;
            }
            if (!_started)
            {
                _started = true;
                // A header, unless the line is a plain entry whose trailing comment holds a comma.
                if (line.Contains(',', StringComparison.Ordinal) && !IpRange.TryParse(PlainEntry(line), out _))
                {
                    _columns = Columns.FromHeader(line);
                    if (_columns is null)
                    {
                        Error(number, "a CSV feed starts with a header naming an 'ip' or 'indicator' column");
                        _columns = Columns.Unusable;
                    }
                    return;
                }
            }
            if (_columns is null)
            {
                Plain(number, line);
            }
            else if (_columns != Columns.Unusable)
            {
                Row(number, line, _columns);
            }
        }

        /// <summary>A comment: <c>category: x</c>, <c>intention: x</c> or <c>source: x</c> sets the default for later lines.</summary>
        private void Directive(int number, string comment)
        {
            var colon = comment.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return;
            }
            var value = comment[(colon + 1)..].Trim();
            switch (comment[..colon].Trim().ToLowerInvariant())
            {
                case "category" when value.Length > 0:
                    _category = value.ToLowerInvariant();
                    break;
                case "intention" when value.Length > 0:
                    if (Intention(number, value) is { } intention)
                    {
                        _intention = intention;
                    }
                    break;
                case "source" when value.Length > 0:
                    _source = value;
                    break;
            }
        }

        private void Plain(int number, string line) => Add(number, PlainEntry(line), _category, _intention, _source);

        /// <summary>A plain line without its trailing comment.</summary>
        private static string PlainEntry(string line)
        {
            var end = line.IndexOfAny(['#', ';']);
            return (end < 0 ? line : line[..end]).Trim();
        }

        private void Row(int number, string line, Columns columns)
        {
            var cells = CsvLine.Split(line);
            if (columns.Address >= cells.Count || cells[columns.Address].Length == 0)
            {
                Error(number, $"no value in the '{columns.AddressName}' column");
                return;
            }
            var category = Cell(cells, columns.Category)?.ToLowerInvariant() ?? _category;
            var intention = _intention;
            if (Cell(cells, columns.Intention) is { } stated)
            {
                if (Intention(number, stated) is not { } known)
                {
                    return;
                }
                intention = known;
            }
            Add(number, cells[columns.Address], category, intention, Cell(cells, columns.Source) ?? _source);
        }

        private void Add(int number, string entry, string category, string intention, string source)
        {
            if (!IpRange.TryParse(entry, out var range))
            {
                Error(number, $"'{entry}' is not an IP address or CIDR network");
                return;
            }
            Indicators.Add(new ThreatIndicator(range, category, intention, source));
        }

        private string? Intention(int number, string text)
        {
            var intention = text.ToLowerInvariant();
            if (ThreatIntentions.Rank(intention) < ThreatIntentions.All.Count)
            {
                return intention;
            }
            Error(number, $"intention '{text}' is not one of {string.Join(", ", ThreatIntentions.All)}");
            return null;
        }

        private static string? Cell(List<string> cells, int column) =>
            column >= 0 && column < cells.Count && cells[column].Length > 0 ? cells[column] : null;

        private void Error(int number, string message) => Errors.Add(new FileError(path, number, message));
    }

    /// <summary>Where the columns of a CSV feed are (-1: absent).</summary>
    private sealed record Columns(int Address, string AddressName, int Category, int Intention, int Source)
    {
        public static readonly Columns Unusable = new(-1, "", -1, -1, -1);

        public static Columns? FromHeader(string line)
        {
            var names = CsvLine.Split(line).Select(c => c.ToLowerInvariant()).ToList();
            var address = names.FindIndex(AddressColumns.Contains);
            return address < 0
                ? null
                : new Columns(address, names[address], names.IndexOf("category"), names.IndexOf("intention"), names.IndexOf("source"));
        }
    }
}
