using YamlDotNet.RepresentationModel;

namespace Portal.Detection.Sigma;

/// <summary>One YAML document of a Sigma file: a detection rule or a correlation rule, with the metadata both share.</summary>
internal sealed class SigmaDocument
{
    private SigmaDocument(YamlMappingNode root) => Root = root;

    /// <summary>The document's top-level mapping.</summary>
    public YamlMappingNode Root { get; }

    /// <summary><c>title</c>.</summary>
    public string? Title => SigmaYaml.Text(Root, "title");

    /// <summary><c>id</c>.</summary>
    public string? Id => SigmaYaml.Text(Root, "id");

    /// <summary><c>name</c>, by which correlation rules may refer to this rule.</summary>
    public string? Name => SigmaYaml.Text(Root, "name");

    /// <summary><c>author</c>.</summary>
    public string? Author => SigmaYaml.Text(Root, "author");

    /// <summary><c>description</c>.</summary>
    public string? Description => SigmaYaml.Text(Root, "description");

    /// <summary><c>status</c> (<c>stable</c>, <c>test</c>, <c>experimental</c>...).</summary>
    public string? Status => SigmaYaml.Text(Root, "status");

    /// <summary><c>level</c> (<c>informational</c> ... <c>critical</c>).</summary>
    public string? Level => SigmaYaml.Text(Root, "level");

    /// <summary><c>references</c>.</summary>
    public IReadOnlyList<string> References => SigmaYaml.TextList(Root, "references");

    /// <summary><c>falsepositives</c>.</summary>
    public IReadOnlyList<string> FalsePositives => SigmaYaml.TextList(Root, "falsepositives");

    /// <summary><c>tags</c>.</summary>
    public IReadOnlyList<string> Tags => SigmaYaml.TextList(Root, "tags");

    /// <summary><c>logsource</c>.</summary>
    public YamlMappingNode? LogSource => SigmaYaml.Child(Root, "logsource") as YamlMappingNode;

    /// <summary><c>detection</c>, for a detection rule.</summary>
    public YamlNode? Detection => SigmaYaml.Child(Root, "detection");

    /// <summary><c>correlation</c>, for a correlation rule.</summary>
    public YamlNode? Correlation => SigmaYaml.Child(Root, "correlation");

    /// <summary>True for a correlation rule.</summary>
    public bool IsCorrelation => Correlation is not null;

    /// <summary>How the rule is named in messages: its title, else its id, else its name.</summary>
    public string Label => Title ?? Id ?? Name ?? "(untitled)";

    /// <summary>Wraps a YAML document; null when its root is not a mapping.</summary>
    public static SigmaDocument? From(YamlDocument document) => document.RootNode is YamlMappingNode root ? new SigmaDocument(root) : null;

    /// <summary>True when <paramref name="reference"/> (from a correlation's <c>rules</c>) names this rule by id or name.</summary>
    public bool IsNamed(string reference) => reference == Id || reference == Name;
}
