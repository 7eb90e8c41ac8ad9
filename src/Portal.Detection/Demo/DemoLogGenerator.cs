using System.Text.Json.Nodes;

namespace Portal.Detection.Demo;

/// <summary>
/// Produces a believable stream of Datadog intake objects (sshd, nginx and CloudTrail logs) with
/// attacks mixed in, so that a fresh tenant sees every out-of-the-box rule fire within two minutes.
/// Deterministic for a given seed and sequence of calls.
/// </summary>
public sealed class DemoLogGenerator(int seed)
{
    /// <summary>Attack campaigns repeat with this period on the generator's clock, each with new addresses.</summary>
    public static readonly TimeSpan AttackPeriod = TimeSpan.FromMinutes(4);

    /// <summary>
    /// A longer gap between calls (a paused demo, a suspended laptop) is shortened to this,
    /// so that one call never floods the intake.
    /// </summary>
    public static readonly TimeSpan MaxStep = TimeSpan.FromMinutes(1);

    // Events per second of each benign stream; attack events come on top.
    private const double WebRate = 6;
    private const double CloudTrailRate = 1.5;
    private const double AdminLoginRate = 0.1;
    private const double SshNoiseRate = 0.15;
    private const double ConsoleLoginRate = 0.01;

    private readonly DemoRandom _random = new(seed);
    private readonly List<DemoScheduledEvent> _pending = [];
    private readonly double[] _carry = new double[5];
    private TimeSpan _clock;
    private int _nextCampaign;

    /// <summary>Time generated so far on the generator's own clock (the sum of the steps).</summary>
    public TimeSpan Clock => _clock;

    /// <summary>
    /// The events of the <paramref name="elapsed"/> time that ends at <paramref name="now"/>,
    /// in time order, timestamped within that span.
    /// </summary>
    public IReadOnlyList<JsonObject> Next(DateTimeOffset now, TimeSpan elapsed)
    {
        if (elapsed <= TimeSpan.Zero)
        {
            return [];
        }
        elapsed = elapsed > MaxStep ? MaxStep : elapsed;
        var start = _clock;
        var end = _clock + elapsed;
        _clock = end;
        DateTimeOffset WallTime(TimeSpan at) => now - (end - at);

        void Stream(int index, double rate, Func<DemoRandom, IEnumerable<DemoScheduledEvent>> produce)
        {
            // Carry the fractional part over so that slow streams still emit at their average rate.
            _carry[index] += rate * elapsed.TotalSeconds * (0.7 + 0.6 * _random.Double());
            for (; _carry[index] >= 1; _carry[index]--)
            {
                var at = start + elapsed * _random.Double();
                // Follow-up lines (a session after a login) may fall into the next call's span.
                _pending.AddRange(produce(_random).Select(e => e with { At = at + e.At }));
            }
        }
        Stream(0, WebRate, r => [new(TimeSpan.Zero, t => DemoWeb.Request(r, t))]);
        Stream(1, CloudTrailRate, r => [new(TimeSpan.Zero, t => DemoCloudTrail.Routine(r, t))]);
        Stream(2, AdminLoginRate, DemoSshd.AdminLogin);
        Stream(3, SshNoiseRate, DemoSshd.Noise);
        Stream(4, ConsoleLoginRate, r => [new(TimeSpan.Zero, t => DemoCloudTrail.ConsoleLogin(r, t))]);

        while (AttackPeriod * _nextCampaign < end)
        {
            _pending.AddRange(DemoCampaign.Plan(_random, AttackPeriod * _nextCampaign, _nextCampaign));
            _nextCampaign++;
        }
        var events = new List<(TimeSpan At, JsonObject Event)>();
        foreach (var due in _pending.Where(p => p.At < end))
        {
            // Never stamp an event before the span it is delivered in.
            var at = due.At < start ? start : due.At;
            events.Add((at, due.Build(WallTime(at))));
        }
        _pending.RemoveAll(p => p.At < end);
        return events.OrderBy(e => e.At).Select(e => e.Event).ToList();
    }
}
