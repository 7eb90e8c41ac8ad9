using Portal.Detection.Events;
using Portal.Detection.Signals;

namespace Portal.Detection.Evaluation;

/// <summary>
/// Runs many rules over a stream of events in one pass, in event-time order, as the server does: each event is
/// matched against every rule query at once through a <see cref="QueryIndex{T}"/>, the method of each matching rule
/// (threshold, new value, anomaly, impossible travel) judges its group, and the signal lifecycle turns what it finds
/// into signals. Used by <c>vigil detect</c>, rule tests, backtests and the real-time stage of indexing.
/// </summary>
public sealed class StreamingDetector
{
    private readonly RuleRunner[] _runners;
    private readonly QueryIndex<int> _index = new();

    /// <summary>Rule queries by distinct query text: rules often share a query (clones with other thresholds), which is then tested once.</summary>
    private readonly List<List<(int Rule, int Query)>> _sharers = [];
    private readonly Dictionary<(CompiledRule Rule, string Group), SecuritySignal> _open = [];

    /// <summary>The signal correlation rules, fed the signals the other rules raise.</summary>
    private readonly StreamingDetector? _correlations;
    private readonly List<SecuritySignal> _signals = [];
    private readonly List<int> _matches = [];
    private readonly Func<string> _newId;
    private readonly Action<CompiledRule, SignalCandidate>? _sink;
    private readonly Func<CompiledRule, SignalCandidate, bool>? _admit;

    /// <summary>
    /// Prepares the rules; <paramref name="newId"/> names new signals (sequential ids by default, so runs are reproducible).
    /// With a <paramref name="sink"/>, candidates go there instead of through the lifecycle: the server applies them to
    /// the signals it has stored. A candidate <paramref name="admit"/> refuses (one a suppression stops) goes nowhere; the
    /// signal correlation rules' candidates are not asked (a backtest, which admits, runs no correlation rule).
    /// </summary>
    /// <remarks>
    /// Signal correlation rules judge the signals the other rules raise here; with a sink no signal is raised here, so
    /// they are left out (the server evaluates them over its stored signals).
    /// </remarks>
    public StreamingDetector(
        IEnumerable<CompiledRule> rules, Func<string>? newId = null, Action<CompiledRule, SignalCandidate>? sink = null, Func<CompiledRule, SignalCandidate, bool>? admit = null)
        : this(rules.ToList(), newId, sink, admit, correlating: false)
    {
    }

    /// <summary><paramref name="correlating"/>: this detector judges signals, so its correlation rules are its rules.</summary>
    private StreamingDetector(
        List<CompiledRule> all, Func<string>? newId, Action<CompiledRule, SignalCandidate>? sink, Func<CompiledRule, SignalCandidate, bool>? admit, bool correlating)
    {
        (_sink, _admit) = (sink, admit);
        _runners = RuleRunner.ForAll([.. all.Where(r => correlating || !r.IsCorrelation)]);
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var r = 0; r < _runners.Length; r++)
        {
            var queries = _runners[r].Rule.Queries;
            for (var q = 0; q < queries.Count; q++)
            {
                var key = _runners[r].Rule.SharingKey(q);
                if (key is null || !byKey.TryGetValue(key, out var shared))
                {
                    shared = _sharers.Count;
                    if (key is not null)
                    {
                        byKey[key] = shared;
                    }
                    _sharers.Add([]);
                    _index.Add(queries[q].Query, shared);
                }
                _sharers[shared].Add((r, q));
            }
        }
        if (sink is null && admit is null)
        {
            // The lifecycle is applied here: runners may update an open signal in place. Not when candidates are admitted:
            // a match that would update an open signal must be judged too (one a suppression stops updates nothing).
            foreach (var runner in _runners)
            {
                runner.OpenSignals = (rule, group) => _open.GetValueOrDefault((rule, group));
            }
        }
        var next = 0;
        _newId = newId ?? (() => $"signal-{++next:D6}");
        var correlations = all.Where(r => r.IsCorrelation).ToList();
        if (!correlating && correlations.Count > 0 && sink is null)
        {
            _correlations = new StreamingDetector(correlations, _newId, (rule, candidate) => Raise(rule, candidate), admit: null, correlating: true);
        }
    }

    /// <summary>Every signal raised so far, in order of creation; open signals keep being updated in place.</summary>
    public IReadOnlyList<SecuritySignal> Signals => _signals;

    /// <summary>Events processed so far.</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>Queries tested against every event because no field value could file them.</summary>
    public int UnfiledQueries => _index.UnfiledCount;

    /// <summary>Queries confirmed with the matcher so far (the rest were spared by the index).</summary>
    public long QueriesTested => _index.CandidatesTested;

    /// <summary>Feeds one event; events must come in timestamp order (ties in any order).</summary>
    public void Process(LogEvent e)
    {
        EventsProcessed++;
        _matches.Clear();
        _index.Matches(e, _matches);
        foreach (var shared in _matches)
        {
            foreach (var (rule, query) in _sharers[shared])
            {
                if (_runners[rule].Observe(query, e) is { } candidate)
                {
                    Apply(rule, candidate);
                }
            }
        }
    }

    /// <summary>
    /// Tells the rules that time has reached <paramref name="now"/> even without events: anomaly buckets that ended by
    /// then are judged, so a spike followed by silence is not left pending.
    /// </summary>
    public void Advance(DateTimeOffset now)
    {
        for (var r = 0; r < _runners.Length; r++)
        {
            foreach (var candidate in _runners[r].Advance(now))
            {
                Apply(r, candidate);
            }
        }
        _correlations?.Advance(now);
    }

    /// <summary>Closes what is still pending at the end of the stream (the last anomaly buckets) and returns every signal.</summary>
    public IReadOnlyList<SecuritySignal> Finish()
    {
        Advance(DateTimeOffset.MaxValue);
        return _signals;
    }

    private void Apply(int rule, SignalCandidate candidate)
    {
        if (_admit is not null && !_admit(_runners[rule].Rule, candidate))
        {
            return;
        }
        if (_sink is not null)
        {
            _sink(_runners[rule].Rule, candidate);
            return;
        }
        if (Raise(_runners[rule].Rule, candidate) is { } raised)
        {
            _correlations?.Process(SignalEvents.From(raised));
        }
    }

    /// <summary>Applies the lifecycle; returns the signal when it is new.</summary>
    private SecuritySignal? Raise(CompiledRule rule, SignalCandidate candidate)
    {
        var key = (rule, candidate.GroupKey);
        var open = _open.GetValueOrDefault(key);
        var signal = SignalLifecycle.Apply(rule, candidate, open, candidate.LastSeen, _newId);
        if (ReferenceEquals(signal, open))
        {
            return null;
        }
        _signals.Add(signal);
        _open[key] = signal;
        return signal;
    }
}
