namespace Portal.Cli.Commands;

/// <summary>
/// Splits arguments into the command words, its <c>--option value</c> (or <c>--option=value</c>) pairs and configuration
/// switches, whose keys name a section (<c>--Section:Key=value</c>).
/// </summary>
internal static class CommandLine
{
    public static (string[] Command, Dictionary<string, string> Options, string[] Settings) Parse(string[] args)
    {
        var command = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var key = arg.Split('=', 2)[0];
            if (arg.StartsWith("--", StringComparison.Ordinal) && (key.Contains(':', StringComparison.Ordinal) || HostSettings.Contains(key[2..])))
            {
                settings.Add(arg);
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Contains('=', StringComparison.Ordinal))
            {
                options[key[2..]] = arg[(key.Length + 1)..];
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                options[arg[2..]] = i + 1 < args.Length ? args[++i] : "";
            }
            else
            {
                command.Add(arg);
            }
        }
        return ([.. command], options, [.. settings]);
    }

    /// <summary>The host's own switches without a section (<c>--environment=Staging</c>): configuration, not options.</summary>
    private static readonly HashSet<string> HostSettings = new(["environment", "contentRoot", "applicationName"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Options that take every value up to the next option: <c>--rules builtin converted/ --logs a.json b.json</c>; an
    /// <c>--option=value</c> has that value.
    /// </summary>
    public static Dictionary<string, List<string>> MultiValued(string[] args)
    {
        var options = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        List<string>? current = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Split('=', 2) is [var key, var value])
            {
                current = key.Contains(':', StringComparison.Ordinal) ? null : [value];
                if (current is not null)
                {
                    options[key[2..]] = current;
                }
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                current = [];
                options[arg[2..]] = current;
            }
            else
            {
                current?.Add(arg);
            }
        }
        return options;
    }

    public static int Usage(TextWriter error)
    {
        error.WriteLine("""
            Usage:
              vigil rules validate <file|dir>...
              vigil rules test <file|dir>...
              vigil detect --rules <file|dir|builtin>... --logs <file>... [--source sshd|apache|nginx|syslog|cloudtrail|json] [--year YYYY]
              vigil sigma convert <file|dir>... [--out DIR]
              vigil tenants create --name <organisation> --email <owner email> --password <password> [--slug <slug>]
              vigil tenants list
              vigil tenants disable --slug <slug> [--reason <text>]
              vigil tenants enable --slug <slug>
              vigil admins grant --org <slug> --email <member email>
              vigil admins revoke --org <slug> --email <member email>

            Settings come from appsettings.json, the environment (Vigil__DataDirectory=...) or switches (--Vigil:DataDirectory=...).
            """);
        return 2;
    }
}
