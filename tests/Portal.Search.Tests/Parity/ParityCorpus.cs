using System.Text.Json;
using Portal.Detection.Events;

namespace Portal.Search.Tests.Parity;

/// <summary>The parity corpus (<c>Parity/corpus.json</c>): stored-form events and queries with the ids they must hit.</summary>
public static class ParityCorpus
{
    private static readonly Lazy<(IReadOnlyList<LogEvent> Events, IReadOnlyList<ParityCase> Cases)> Loaded = new(Load);

    /// <summary>The events, in file order.</summary>
    public static IReadOnlyList<LogEvent> Events => Loaded.Value.Events;

    /// <summary>The query cases, in file order.</summary>
    public static IReadOnlyList<ParityCase> Cases => Loaded.Value.Cases;

    private static (IReadOnlyList<LogEvent>, IReadOnlyList<ParityCase>) Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Parity", "corpus.json")));
        var events = document.RootElement.GetProperty("events").EnumerateArray()
            .Select(e => LogEventJson.Deserialize(e.GetRawText()))
            .ToList();
        var cases = document.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => new ParityCase(
                c.GetProperty("query").GetString()!,
                c.GetProperty("expected").EnumerateArray().Select(id => id.GetString()!).ToList()))
            .ToList();
        return (events, cases);
    }
}

/// <summary>A query and the ids of the corpus events it must match.</summary>
public sealed record ParityCase(string Query, IReadOnlyList<string> Expected);
