using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using Portal.Detection.Intake;

namespace Portal.Benchmarks;

/// <summary>
/// The parse stage of this build against another build's, in one process, taking turns every 100 ms:
/// <c>parse-ab --base &lt;folder of the other build's Portal.Benchmarks.dll&gt; [--kind k] [--seconds n]</c>. Runs of the
/// <c>parse</c> benchmark made one after another on a shared machine move by 5–10 % within minutes, which hides the
/// few per cent a change is worth; turns of 100 ms see the same machine. Each process still learns its own profile-guided
/// code, which moves a comparison by about a per cent: compare over several runs. The builds share the process's
/// collector (a collection one build's allocation starts may pause the other's turn) and its framework assemblies.
/// </summary>
internal static class ParseAbBenchmark
{
    public static Task RunAsync(bool quick)
    {
        var args = Environment.GetCommandLineArgs();
        var baseFolder = args.SkipWhile(a => a != "--base").Skip(1).FirstOrDefault()
            ?? throw new ArgumentException("--base: the folder of the build to compare with (its bin/Release/net10.0)");
        var seconds = Throughput.Option("--seconds") ?? (quick ? 10 : 30);
        var payloads = ParseBenchmark.Payloads(Workload.KindOption());
        var now = DateTimeOffset.UtcNow;
        var other = OtherRead(Path.GetFullPath(baseFolder), now);
        Action<byte[]>[] reads = [other, payload => IntakePayload.Read(payload, now, null)];

        var next = 0;
        var (events, time) = (new long[2], new double[2]);
        var stopwatch = new Stopwatch();
        void Turn(int side, bool counted)
        {
            stopwatch.Restart();
            long done = 0;
            while (stopwatch.ElapsedMilliseconds < 100)
            {
                reads[side](payloads[next++ % payloads.Length]);
                done += ParseBenchmark.EventsPerPayload;
            }
            if (counted)
            {
                events[side] += done;
                time[side] += stopwatch.Elapsed.TotalSeconds;
            }
        }
        // Warm-up: both builds' code tiered up.
        for (var i = 0; i < 30; i++)
        {
            Turn(0, counted: false);
            Turn(1, counted: false);
        }
        for (var turn = 0; turn < seconds * 5; turn++)
        {
            // Each goes first in every other pair.
            Turn(turn & 1, counted: true);
            Turn(1 - (turn & 1), counted: true);
        }
        var (baseRate, rate) = (events[0] / time[0], events[1] / time[1]);
        new Figure("parse_ab.events_per_second", rate, "events/s", baseRate).Print();
        new Figure("parse_ab.percent_of_base", 100 * rate / baseRate, "% of the base build", 100).Print();
        return Task.CompletedTask;
    }

    /// <summary>The other build's <c>IntakePayload.Read</c>, its assemblies loaded apart from this build's.</summary>
    private static Action<byte[]> OtherRead(string folder, DateTimeOffset now)
    {
        var context = new FolderContext(folder);
        var read = context.LoadFromAssemblyPath(Path.Combine(folder, "Portal.Detection.dll"))
            .GetType("Portal.Detection.Intake.IntakePayload", throwOnError: true)!
            .GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == "Read" && m.GetParameters().Length == 5);
        return payload => read.Invoke(null, [(ReadOnlyMemory<byte>)payload, now, null, false, null]);
    }

    /// <summary>Loads the other build's own assemblies (all but the framework's) from its folder.</summary>
    private sealed class FolderContext(string folder) : AssemblyLoadContext(nameof(ParseAbBenchmark))
    {
        protected override Assembly? Load(AssemblyName name)
        {
            var path = Path.Combine(folder, name.Name + ".dll");
            return name.Name!.StartsWith("System.", StringComparison.Ordinal) || name.Name.StartsWith("Microsoft.", StringComparison.Ordinal) || !File.Exists(path)
                ? null
                : LoadFromAssemblyPath(path);
        }
    }
}
