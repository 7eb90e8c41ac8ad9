using System.Diagnostics;

namespace Portal.Cli.Tests;

/// <summary>Runs the built <c>vigil</c> command as a process, as a user would, and collects its exit code and output.</summary>
internal static class VigilProcess
{
    /// <summary>Runs <c>vigil</c> with <paramref name="args"/> in <paramref name="workingDirectory"/>, with <paramref name="dataDirectory"/> as its data directory when given.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string workingDirectory, string? dataDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        if (dataDirectory is not null)
        {
            start.Environment["Vigil__DataDirectory"] = dataDirectory;
        }
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vigil.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
