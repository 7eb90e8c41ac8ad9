using System.Text.Json.Nodes;

namespace Portal.Cli.Tests;

/// <summary>Detection as code through the real <c>vigil</c> executable: arguments, exit codes, standard output and error.</summary>
public class DetectionCommandTests
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
    private static readonly string Otrf = Path.Combine(Fixtures, "sigma", "otrf-aws-ec2-proxy-s3-exfiltration", "records.ndjson");

    [Fact]
    public async Task RulesValidate_InvalidRule_ExitsOneNamingFileLineAndPath()
    {
        var file = Path.Combine(Fixtures, "invalid-rule.json");

        var run = await VigilAsync("rules", "validate", file);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{file}:5: $.queries[0].query: ", run.Error);
        Assert.Contains($"{file}:10: $.cases[0].status: 'severe' is not a severity", run.Error);
        Assert.Contains("0 of 1 rules valid", run.Output);
    }

    [Fact]
    public async Task RulesTest_Builtin_RunsEveryEmbeddedTestAndPasses()
    {
        var run = await VigilAsync("rules", "test", "builtin");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^\d{3,} passed, 0 failed, 0 rules without tests", run.Output.Trim());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Detect_RawSshdLines_PrintsTheBruteForceAndTheSuccessAfterIt(bool equals)
    {
        // --option value, or --option=value.
        var run = equals
            ? await VigilAsync("detect", "--rules=builtin", $"--logs={Path.Combine(Fixtures, "auth.log")}", "--year=2026")
            : await VigilAsync("detect", "--rules", "builtin", "--logs", Path.Combine(Fixtures, "auth.log"), "--year", "2026");

        Assert.Equal(0, run.ExitCode);
        var signals = Lines(run.Output);
        var bruteForce = Assert.Single(signals, s => (string?)s["rule"]!["id"] == "ssh-brute-force");
        Assert.Equal("203.0.113.77", (string?)bruteForce["group"]!["@network.client.ip"]);
        Assert.Equal(12, (int)bruteForce["events_matched"]!);
        Assert.Equal("2026-03-03T14:02:01.0000000Z", (string?)bruteForce["first_seen"]);
        Assert.Equal("medium", (string?)bruteForce["severity"]);
        Assert.Contains(signals, s => (string?)s["rule"]!["id"] == "ssh-success-after-failures");
        Assert.Contains(signals, s => (string?)s["rule"]!["id"] == "ssh-password-spraying");
    }

    [Fact]
    public async Task Detect_ConvertedSigmaRule_FiresOnExactlyTheElevenAttackerCalls()
    {
        using var converted = new TempDirectory();
        var convert = await VigilAsync("sigma", "convert", Path.Combine(Fixtures, "sigma", "aws_sts_assumerole_misuse.yml"), "--out", converted.Path);
        Assert.Equal(0, convert.ExitCode);
        Assert.Equal("converted 1 of 1, partial 0, unsupported 0", convert.Output.Trim());

        var run = await VigilAsync("detect", "--rules", converted.Path, "--logs", Otrf);

        Assert.Equal(0, run.ExitCode);
        var signal = Assert.Single(Lines(run.Output));
        Assert.Equal("AWS STS AssumeRole Misuse", (string?)signal["rule"]!["name"]);
        Assert.Equal(11, (int)signal["events_matched"]!);
        var attackerCalls = File.ReadLines(Otrf)
            .Select(l => JsonNode.Parse(l)!)
            .Where(r => ((string?)r["userIdentity"]!["arn"])?.Contains("i-0317f6c6b66ae9c40", StringComparison.Ordinal) == true)
            .Select(r => (string?)r["eventID"])
            .ToList();
        Assert.Equal(11, attackerCalls.Count);
        Assert.Subset(attackerCalls.ToHashSet(), signal["sample_event_ids"]!.AsArray().Select(id => (string?)id).ToHashSet());
    }

    [Fact]
    public async Task Detect_BuiltinOverTheExfiltrationDataset_FlagsTheStolenInstanceCredentials()
    {
        var run = await VigilAsync("detect", "--rules", "builtin", "--logs", Otrf);

        Assert.Equal(0, run.ExitCode);
        var signal = Assert.Single(Lines(run.Output), s => (string?)s["rule"]!["id"] == "aws-ec2-instance-credentials-used-outside-aws");
        Assert.Equal("high", (string?)signal["severity"]);
    }

    [Theory]
    [InlineData("detect", "--rules", "builtin")]
    [InlineData("detect", "--logs", "auth.log")]
    [InlineData("detect", "--rules", "builtin", "--logs", "auth.log", "--source", "windows")]
    [InlineData("rules", "validate", "no-such-directory")]
    public async Task Command_BadUsage_ExitsTwoWithAMessage(params string[] args)
    {
        var run = await VigilAsync(args);

        Assert.Equal(2, run.ExitCode);
        Assert.NotEmpty(run.Error.Trim());
    }

    /// <summary>A gate that finds no rule to check fails (a wrong path, or Sigma's YAML where Vigil's JSON was meant).</summary>
    [Theory]
    [InlineData("validate")]
    [InlineData("test")]
    public async Task Rules_DirectoryWithoutRules_ExitsTwo(string verb)
    {
        using var directory = new TempDirectory();
        File.WriteAllText(System.IO.Path.Combine(directory.Path, "rule.yml"), "title: a Sigma rule\n");

        var run = await VigilAsync("rules", verb, directory.Path);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no rule files (*.json)", run.Error, StringComparison.Ordinal);
    }

    private static List<JsonObject> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    private static Task<(int ExitCode, string Output, string Error)> VigilAsync(params string[] args) => VigilProcess.RunAsync(Fixtures, dataDirectory: null, args);

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("vigil-cli-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
