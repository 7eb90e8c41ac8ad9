using System.Text;
using System.Text.Json;
using Portal.Detection.Content;
using Portal.Detection.Rules;

namespace Portal.Detection.Files;

/// <summary>A rule read from a file, with where it came from; <see cref="Rule"/> is null when it has errors.</summary>
public sealed record RuleFile(string Path, string Id, DetectionRule? Rule, IReadOnlyList<FileError> Errors);

/// <summary>A problem in a file, at a line (1-based; 0 when the whole file is at fault).</summary>
public sealed record FileError(string Path, int Line, string Message)
{
    /// <summary><c>path:line: message</c>, as compilers write it.</summary>
    public override string ToString() => Line > 0 ? $"{Path}:{Line}: {Message}" : $"{Path}: {Message}";
}

/// <summary>
/// Reads rules for detection as code: files holding one rule object or an array of them, directories of
/// <c>*.json</c> files (recursively), and <c>builtin</c> for the rules Vigil ships. Every validation error names its
/// file and line, found by following the error's JSON path through the file.
/// </summary>
public static class RuleFiles
{
    /// <summary>The argument that stands for the out-of-the-box rules.</summary>
    public const string Builtin = "builtin";

    /// <summary>Reads every rule under <paramref name="paths"/>; throws <see cref="FileNotFoundException"/> for a path that does not exist.</summary>
    public static IReadOnlyList<RuleFile> Read(IEnumerable<string> paths)
    {
        var rules = new List<RuleFile>();
        foreach (var path in paths)
        {
            if (path == Builtin)
            {
                foreach (var (fileName, json) in OutOfTheBoxRules.LoadNamedJson())
                {
                    rules.AddRange(Parse($"{Builtin}/{fileName}", json));
                }
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    rules.AddRange(Parse(file, File.ReadAllText(file)));
                }
            }
            else if (File.Exists(path))
            {
                rules.AddRange(Parse(path, File.ReadAllText(path)));
            }
            else
            {
                throw new FileNotFoundException($"{path}: no such file or directory", path);
            }
        }
        return rules;
    }

    /// <summary>Parses the rules of one file's text.</summary>
    public static IReadOnlyList<RuleFile> Parse(string path, string json)
    {
        var stem = System.IO.Path.GetFileNameWithoutExtension(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            return [new RuleFile(path, stem, null, [new FileError(path, (int)(e.LineNumber ?? -1) + 1, $"invalid JSON: {RuleJson.FirstSentence(e.Message)}")])];
        }
        using (document)
        {
            var lines = JsonLines.Index(json);
            if (document.RootElement.ValueKind == JsonValueKind.Array)
            {
                return document.RootElement.EnumerateArray()
                    .Select((element, i) => One(path, $"{stem}[{i}]", element.GetRawText(), $"$[{i}]", lines))
                    .ToList();
            }
            return [One(path, stem, json, "$", lines)];
        }
    }

    private static RuleFile One(string path, string defaultId, string json, string root, IReadOnlyDictionary<string, int> lines)
    {
        var (rule, errors) = RuleJson.Parse(json);
        var located = errors.Select(e => new FileError(path, Line(lines, root + e.Path[1..]), $"{e.Path}: {e.Message}")).ToList();
        if (rule is not null && string.IsNullOrWhiteSpace(rule.Id))
        {
            rule.Id = defaultId;
        }
        return new RuleFile(path, rule?.Id ?? defaultId, rule, located);
    }

    /// <summary>The line of the deepest existing prefix of <paramref name="path"/> (a missing property is reported where its object is).</summary>
    private static int Line(IReadOnlyDictionary<string, int> lines, string path)
    {
        while (path.Length > 0)
        {
            if (lines.TryGetValue(path, out var line))
            {
                return line;
            }
            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            if (cut <= 0)
            {
                break;
            }
            path = path[..cut];
        }
        return lines.GetValueOrDefault("$", 1);
    }
}

/// <summary>Maps each JSON path of a document (<c>$.queries[0].query</c>) to the line its value starts on.</summary>
public static class JsonLines
{
    /// <summary>Indexes <paramref name="json"/>, which must be valid JSON.</summary>
    public static IReadOnlyDictionary<string, int> Index(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var newlines = new List<long>();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n')
            {
                newlines.Add(i);
            }
        }
        int LineOf(long offset)
        {
            var index = newlines.BinarySearch(offset);
            return (index < 0 ? ~index : index) + 1;
        }

        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var stack = new Stack<(string Path, bool IsArray, int Next)>();
        string? property = null;
        while (reader.Read())
        {
            var line = LineOf(reader.TokenStartIndex);
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                property = reader.GetString();
                lines.TryAdd(stack.Peek().Path + "." + property, line);
                continue;
            }
            if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                stack.Pop();
                continue;
            }
            string path;
            if (stack.Count == 0)
            {
                path = "$";
            }
            else if (stack.Peek().IsArray)
            {
                var (parent, isArray, next) = stack.Pop();
                stack.Push((parent, isArray, next + 1));
                path = $"{parent}[{next}]";
            }
            else
            {
                path = stack.Peek().Path + "." + property;
            }
            lines.TryAdd(path, line);
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                stack.Push((path, reader.TokenType == JsonTokenType.StartArray, 0));
            }
        }
        return lines;
    }
}
