using System.Text.Encodings.Web;
using System.Text.Json;
using Portal.Detection.Rules;
using Portal.Detection.Sigma;

namespace Portal.Cli.Commands;

/// <summary><c>vigil sigma convert &lt;file|dir&gt;... [--out DIR]</c>: converts Sigma rules into Vigil rules (docs/SIGMA.md).</summary>
internal static class SigmaCommands
{
    /// <summary>Rule JSON for people to read: indented, and '&gt;' or '`' written as they are (the files are not HTML).</summary>
    private static readonly JsonSerializerOptions IndentedRuleJson = new(RuleJson.Options) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Converts the Sigma files in <paramref name="paths"/> (files, or directories searched recursively for <c>*.yml</c> and
    /// <c>*.yaml</c>). With <paramref name="outDirectory"/>, writes each rule produced (lossless or partial) as
    /// <c>&lt;sigma-file-name&gt;.json</c>. Prints the diagnostics of partial and unsupported rules to <paramref name="error"/>
    /// as <c>file: diagnostic</c>, then the summary <c>converted N of M, partial P, unsupported U</c> to <paramref name="output"/>,
    /// where N counts lossless rules, and N + P + U = M.
    /// </summary>
    /// <returns>0 when every input is Sigma YAML, 1 when one is not (it counts as unsupported), 2 for a usage error.</returns>
    public static int Convert(IReadOnlyList<string> paths, string? outDirectory, TextWriter output, TextWriter error)
    {
        if (paths.Count == 0 || outDirectory is { Length: 0 })
        {
            error.WriteLine("Usage: vigil sigma convert <file|dir>... [--out DIR]");
            return 2;
        }
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(path);
            }
            else if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(IsYaml).Order(StringComparer.Ordinal));
            }
            else
            {
                error.WriteLine($"{path}: no such file or directory");
                return 2;
            }
        }
        if (outDirectory is not null)
        {
            Directory.CreateDirectory(outDirectory);
        }

        int total = 0, lossless = 0, partial = 0, unsupported = 0, invalid = 0;
        var written = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files)
        {
            string yaml;
            try
            {
                yaml = File.ReadAllText(file);
            }
            catch (IOException e)
            {
                error.WriteLine($"{file}: cannot be read: {e.Message}");
                total++;
                unsupported++;
                invalid++;
                continue;
            }
            foreach (var conversion in SigmaConverter.ConvertAll(yaml, Path.GetFileName(file)))
            {
                total++;
                switch (conversion.Status)
                {
                    case SigmaConversionStatus.Lossless:
                        lossless++;
                        break;
                    case SigmaConversionStatus.Partial:
                        partial++;
                        break;
                    case SigmaConversionStatus.Invalid:
                        invalid++;
                        unsupported++;
                        break;
                    default:
                        unsupported++;
                        break;
                }
                if (conversion.Status != SigmaConversionStatus.Lossless)
                {
                    foreach (var diagnostic in conversion.Diagnostics)
                    {
                        error.WriteLine($"{file}: {diagnostic}");
                    }
                }
                if (conversion.Rule is { } rule && outDirectory is not null)
                {
                    var target = Path.Combine(outDirectory, UniqueName(Path.GetFileNameWithoutExtension(file), written));
                    File.WriteAllText(target, JsonSerializer.Serialize(rule, IndentedRuleJson) + "\n");
                }
            }
        }
        output.WriteLine($"converted {lossless} of {total}, partial {partial}, unsupported {unsupported}");
        return invalid > 0 ? 1 : 0;
    }

    private static bool IsYaml(string path) =>
        path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>name.json</c>, or <c>name-2.json</c>... when a rule of another file (or of the same file) took it.</summary>
    private static string UniqueName(string name, HashSet<string> written)
    {
        var candidate = name + ".json";
        for (var i = 2; !written.Add(candidate); i++)
        {
            candidate = $"{name}-{i}.json";
        }
        return candidate;
    }
}
