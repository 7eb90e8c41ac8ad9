namespace Portal.Detection.Demo;

/// <summary>
/// One round of attacks, timed so that every out-of-the-box rule fires within two minutes of the
/// round's start: SSH brute force ending in a login, a web scanner, a root console login, and
/// CloudTrail logging stopped.
/// </summary>
internal static class DemoCampaign
{
    /// <summary>The events of campaign number <paramref name="index"/>, which starts at <paramref name="start"/>.</summary>
    public static List<DemoScheduledEvent> Plan(DemoRandom r, TimeSpan start, int index)
    {
        var events = new List<DemoScheduledEvent>();
        TimeSpan At(double seconds) => start + TimeSpan.FromSeconds(seconds + r.Double() * 3);

        // More than 10 failures in well under a minute, then a guessed password: both SSH rules fire.
        var sshAttacker = r.AttackerIp();
        events.AddRange(DemoSshd.BruteForce(r, At(5), sshAttacker, attempts: r.Int(13, 18)));

        var scanner = r.AttackerIp();
        events.AddRange(DemoWeb.Scan(r, At(12), scanner, DemoWeb.Scanners[index % DemoWeb.Scanners.Length], count: r.Int(15, 30)));

        var intruder = r.AttackerIp();
        events.Add(new(At(30), t => DemoCloudTrail.RootConsoleLogin(r, t, intruder)));
        events.Add(new(At(75), t => DemoCloudTrail.StopTrail(r, t, intruder, delete: index % 2 == 1)));
        return events;
    }
}
