using System.Diagnostics.Tracing;

namespace Portal.Benchmarks;

/// <summary>
/// The runtime's own account of each collection while it listens: how long suspending the threads took (every managed
/// thread must reach a safe point, so a descheduled one holds every other) and how long the collection itself took.
/// </summary>
internal sealed class GcPauses : EventListener
{
    private readonly List<(double SuspendMs, double CollectMs, int Generation, double PromotedMb, double Gen2Mb)> _pauses = [];
    private double _promotedMb, _gen2Mb;
    private DateTime _suspendBegin, _suspendEnd;
    private int _generation;
    private bool _listening;

    /// <summary>Forgets what was recorded and records the collections from now on.</summary>
    public void Start()
    {
        lock (_pauses)
        {
            _pauses.Clear();
            _listening = true;
        }
    }

    /// <summary>Stops recording; one line: per collection, its generation, suspension and collection in milliseconds, what it promoted and the size of generation 2.</summary>
    public string Stop()
    {
        lock (_pauses)
        {
            _listening = false;
            return _pauses.Count == 0 ? "no collections" : string.Join("; ", _pauses.Select(p => $"gen{p.Generation} suspend {p.SuspendMs:F1} + collect {p.CollectMs:F1} ms, promoted {p.PromotedMb:F1} MB, gen2 {p.Gen2Mb:F0} MB"));
        }
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_pauses)
        {
            switch (e.EventName)
            {
                case "GCSuspendEEBegin_V1":
                    _suspendBegin = e.TimeStamp;
                    break;
                case "GCSuspendEEEnd_V1":
                    _suspendEnd = e.TimeStamp;
                    break;
                case "GCStart_V2":
                    _generation = e.Payload?[1] is uint g ? (int)g : -1;
                    break;
                case "GCHeapStats_V2":
                    _promotedMb = (Convert.ToDouble(e.Payload![1]) + Convert.ToDouble(e.Payload[3])) / 1048576;
                    _gen2Mb = Convert.ToDouble(e.Payload[4]) / 1048576;
                    break;
                case "GCRestartEEEnd_V1" when _listening && _suspendEnd > _suspendBegin:
                    _pauses.Add(((_suspendEnd - _suspendBegin).TotalMilliseconds, (e.TimeStamp - _suspendEnd).TotalMilliseconds, _generation, _promotedMb, _gen2Mb));
                    break;
            }
        }
    }
}
