using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Detection.Events;

namespace Portal.Detection.Intake;

/// <summary>
/// One event while it is being normalised: reserved fields still settable, attributes still growing.
/// Parsers only add: they fill fields that are unset and attributes that are absent, so what the
/// sender stated explicitly always wins over what is inferred from the message.
/// </summary>
internal sealed class IntakeDraft
{
    public string? Message { get; set; }
    public string? Host { get; set; }
    public string? Service { get; set; }
    public string? Source { get; set; }

    /// <summary>A standard status, or null while nobody has stated one.</summary>
    public string? Status { get; set; }

    /// <summary>When the event happened, or null while unknown.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    public List<string> Tags => _tags ??= [];

    private List<string>? _tags;

    /// <summary>Whether <see cref="Tags"/> holds any.</summary>
    public bool HasTagList => _tags is { Count: > 0 };

    /// <summary>
    /// The sender's <c>ddtags</c> as the one text shippers send, split when the event is finished (once per thread for a
    /// text that recurs); used unless <see cref="Tags"/> holds any.
    /// </summary>
    public string? TagText { get; set; }

    /// <summary>
    /// The attributes as a tree. Until something needs the tree (a path a leaf cannot stand for, a parser's attribute in a
    /// sender's object), the attributes are kept as leaves instead (<see cref="TakeLeaves"/>): the sender's object as parsed,
    /// with its leaves (<see cref="ReadSent"/>), and the parsers' additions. The first use of this property builds the tree
    /// from them, the same tree adopting the object and adding to it would have built, and the draft goes on with it.
    /// </summary>
    public JsonObject Attributes => _tree ??= LeafTree.Build(TakeLeavesHeld());

    private JsonObject? _tree;

    /// <summary>
    /// The attributes made while no tree exists (the parsers', and the sender's own when a reader walked its object:
    /// <see cref="AddSent"/>): paths and values in the order the tree would list them (each object's
    /// leaves together, its keys in the order first added), so that the tree, its leaves and its JSON follow from them
    /// without building it. Null once the tree exists.
    /// </summary>
    /// <remarks>
    /// Their paths and values lie in two arrays, as an event keeps them (<see cref="LeafList"/>), so that taking the leaves
    /// copies the values in one move. The arrays are the thread's while a draft fills them (drafts are made and finished on
    /// one thread, one at a time), and go back to the thread when the leaves are taken: each event then costs its exact
    /// array of values alone, and an array of paths only when its leaves' learned state has none to share
    /// (<see cref="Placement.PathsOf"/>). The first <see cref="_leafCount"/> entries are used; <see cref="_booleans"/> and
    /// <see cref="_longs"/> mark the JSON types as <see cref="LeafAttributes"/> does.
    /// </remarks>
    private string[]? _paths;

    /// <summary>The values of the leaves at <see cref="_paths"/>.</summary>
    private AttributeValue[]? _values;

    private int _leafCount;

    private ulong _booleans;

    private ulong _longs;

    /// <summary>
    /// A bit for the first segment of each path in <see cref="_paths"/> (<see cref="SegmentBit"/>; a bit may stand for
    /// several): a path whose bit is clear shares no object with any leaf, and is added after them without comparing paths.
    /// </summary>
    private ulong _segments;

    /// <summary>The leaves once taken (<see cref="TakeLeaves"/>): the list went back to the thread.</summary>
    private LeafAttributes? _taken;

    /// <summary>
    /// The sender's object, its leaves (less the reserved fields taken, once <see cref="KeepSent"/> has said which), the run
    /// of leaves under each of its root keys, and its remaining root keys and those taken. The list of leaves is the
    /// thread's, as <see cref="_paths"/> are.
    /// </summary>
    private (JsonElement Object, List<KeyValuePair<string, AttributeValue>> Leaves, (string Key, int Start, int Count)[] Runs, string[] Roots, string[] Consumed)? _sent;

    /// <summary>Objects made here for parsers' attributes: their keys are single path segments.</summary>
    private List<JsonObject>? _made;

    /// <summary>How many of the root's first keys have been read for dots.</summary>
    private int _plainKeys;

    /// <summary>The last of those keys, to notice that the root's keys moved (which the draft never does).</summary>
    private string? _lastPlainKey;

    /// <summary>Whether one of those keys holds a dot.</summary>
    private bool _dottedKey;

    /// <summary>What the thread that made the draft keeps between events: the draft fills its arrays and learns its placements.</summary>
    private readonly IntakeThread _thread;

    /// <summary>A draft of this thread's, to be made and finished on it.</summary>
    public IntakeDraft()
        : this(IntakeThread.Current)
    {
    }

    /// <summary>A draft of <paramref name="thread"/>'s (<see cref="IntakeThread.Draft"/>).</summary>
    internal IntakeDraft(IntakeThread thread) => _thread = thread;

    /// <summary>What the draft's thread keeps between events.</summary>
    internal IntakeThread Thread => _thread;

    /// <summary>
    /// The thread's draft, emptied, for a normalisation that runs to its end on this thread before the next begins (a
    /// draft is a few hundred bytes, and the intake makes one an event): the event it finishes takes what it holds (its
    /// strings, its leaves or its tree) and keeps none of the draft.
    /// </summary>
    public static IntakeDraft ForThread() => IntakeThread.Current.Draft.Emptied();

    /// <summary>
    /// The draft emptied, for the next event (<see cref="ForThread"/>): a reader that holds its thread's draft for a whole
    /// request empties it event by event.
    /// </summary>
    internal IntakeDraft Emptied()
    {
        (Message, Host, Service, Source, Status, Timestamp, TagText) = (null, null, null, null, null, null, null);
        _tags?.Clear();
        System.Diagnostics.Debug.Assert(ReferenceEquals(_thread, IntakeThread.Current), "A draft is used on the thread that made it.");
        // A normalisation that stopped half way (a fault thrown through it) left the thread's arrays here.
        GiveBackLeaves();
        (_tree, _taken, _sent, _made) = (null, null, null, null);
        (_plainKeys, _lastPlainKey, _dottedKey, _segments) = (0, null, false, 0);
        (_noted, _notesStale, _placed, _placedOff) = (0, false, null, false);
        return this;
    }

    /// <summary>Takes <paramref name="attributes"/> (detached from any parent) as the attributes, while there are none yet.</summary>
    public void Adopt(JsonObject attributes)
    {
        if (_leafCount > 0 || _tree is { Count: > 0 } || attributes.Parent is not null)
        {
            throw new InvalidOperationException("Only a detached object can become the attributes of a draft without any.");
        }
        _tree = attributes;
        _ = TakeLeavesHeld();
        (_plainKeys, _lastPlainKey, _dottedKey) = (0, null, false);
    }

    /// <summary>
    /// Reads the sender's object <paramref name="sent"/> as the attributes, while there are none yet, without making its
    /// tree (<see cref="AttributePath.FlattenSent"/>): its root keys, each with its run of leaves; null, with the draft
    /// unchanged, when a key of the object would be read otherwise by the tree. <see cref="KeepSent"/> follows.
    /// </summary>
    public (string Key, int Start, int Count)[]? ReadSent(JsonElement sent)
    {
        if (_leafCount > 0 || _tree is { Count: > 0 } || _taken is not null || _sent is not null)
        {
            throw new InvalidOperationException("Only a draft without attributes can take a sender's object.");
        }
        var leaves = _thread.SpareSentLeaves ?? new List<KeyValuePair<string, AttributeValue>>(32);
        _thread.SpareSentLeaves = null;
        leaves.Clear();
        if (AttributePath.FlattenSent(sent, leaves) is not { } runs)
        {
            _thread.SpareSentLeaves = leaves;
            return null;
        }
        _sent = (sent, leaves, runs, [], []);
        _placedOff = true;
        return runs;
    }

    /// <summary>
    /// Appends a leaf of the sender's object as a reader walks it (<see cref="StreamedEvents"/>): in the object's order,
    /// before anything else is added, with every key plain and none repeated (the reader makes sure), so that the leaves
    /// stand for the object as a tree would and no search for their place is needed. The leaves then hold the whole object:
    /// the stored form and the tree are made from them.
    /// </summary>
    /// <remarks>
    /// <paramref name="firstSegment"/> is the length of the path's first segment, and <paramref name="noted"/> where the path
    /// stands among <see cref="NotedPaths"/> (<see cref="NotedIndexOf"/>), or -1: the reader's node knows both.
    /// </remarks>
    public void AddSent(string path, int firstSegment, AttributeValue value, LeafTree.Kind kind, int noted)
    {
        if (_tree is not null || _taken is not null || _sent is not null)
        {
            throw new InvalidOperationException("A sender's leaves come before anything else.");
        }
        if (noted >= 0 && (_noted & (1u << noted)) == 0)
        {
            _notedAt[noted] = (byte)_leafCount;
            _noted |= 1u << noted;
        }
        // Appended: the step to follow is learned as any other, so that a parser's leaves after these find theirs.
        // (A sender's leaf goes last, where the tree's rule puts it: the reader takes only objects whose leaves are in the
        // tree's order, so a step learned for the same path, by either way, says the same.)
        var state = Placed();
        var step = state?.Find(path) ?? Learned(state, new Placement.Step(path, _leafCount, SegmentBit(path, firstSegment), null));
        if (step.At != _leafCount)
        {
            throw new InvalidOperationException($"The leaf at '{path}' was placed at {step.At} after the same leaves before, not last.");
        }
        Place(step, path, value, kind);
    }

    /// <summary>
    /// The paths whose first leaf the draft notes as a reader adds the sender's leaves (<see cref="AddSent"/>), so that the
    /// parser that reads them all (CloudTrail's, through <see cref="Texts"/>) finds each where it was added, without walking
    /// the leaves and comparing their paths. At most 32.
    /// </summary>
    public static ReadOnlySpan<string> NotedPaths => Parsers.CloudTrailParser.Paths;

    private static readonly Dictionary<string, int> NotedIndexes =
        Parsers.CloudTrailParser.Paths.Select((path, index) => (path, index)).ToDictionary(p => p.path, p => p.index, StringComparer.Ordinal);

    /// <summary>Where <paramref name="path"/> stands among <see cref="NotedPaths"/>, or -1.</summary>
    public static int NotedIndexOf(string path) => NotedIndexes.GetValueOrDefault(path, -1);

    /// <summary>A bit for each of <see cref="NotedPaths"/> that a leaf was added at (<see cref="_notedAt"/> says where).</summary>
    private uint _noted;

    /// <summary>Where the first leaf at each noted path was added: valid while leaves were only appended by <see cref="AddSent"/> (<see cref="_notesStale"/>).</summary>
    private NotedIndexArray _notedAt;

    /// <summary>Whether leaves moved or were added otherwise since the notes were taken (then <see cref="Texts"/> walks the leaves).</summary>
    private bool _notesStale;

    [System.Runtime.CompilerServices.InlineArray(32)]
    private struct NotedIndexArray
    {
        private byte _first;
    }

    /// <summary>How many leaves <see cref="AddSent"/> has added.</summary>
    public int SentCount => _leafCount;

    /// <summary>Removes the leaf <see cref="AddSent"/> added at <paramref name="index"/> (a reserved field that was taken).</summary>
    public void RemoveSent(int index)
    {
        (_notesStale, _placedOff) = (true, true);
        var (paths, values) = (_paths!, _values!);
        Array.Copy(paths, index + 1, paths, index, _leafCount - index - 1);
        Array.Copy(values, index + 1, values, index, _leafCount - index - 1);
        --_leafCount;
        (paths[_leafCount], values[_leafCount]) = (null!, default);
        _booleans = Removed(_booleans, index);
        _longs = Removed(_longs, index);
    }

    /// <summary>
    /// Puts a made leaf at <paramref name="at"/> (at most <see cref="_leafCount"/>, which must be under
    /// <see cref="LeafAttributes.MaxLeaves"/>), moving those after it, and their type bits, one place on.
    /// </summary>
    private void InsertLeaf(int at, string path, AttributeValue value, LeafTree.Kind kind)
    {
        if (_paths is null || _values is null)
        {
            System.Diagnostics.Debug.Assert(ReferenceEquals(_thread, IntakeThread.Current), "A draft is used on the thread that made it.");
            (_paths, _values) = (_thread.SparePaths ?? new string[LeafAttributes.MaxLeaves], _thread.SpareValues ?? new AttributeValue[LeafAttributes.MaxLeaves]);
            (_thread.SparePaths, _thread.SpareValues) = (null, null);
        }
        if (at < _leafCount)
        {
            Array.Copy(_paths, at, _paths, at + 1, _leafCount - at);
            Array.Copy(_values, at, _values, at + 1, _leafCount - at);
        }
        (_paths[at], _values[at]) = (path, value);
        _booleans = Inserted(_booleans, at, kind == LeafTree.Kind.Boolean);
        _longs = Inserted(_longs, at, kind == LeafTree.Kind.Long);
        _leafCount++;
    }

    /// <summary><paramref name="mask"/> with a bit put at <paramref name="at"/> (below 64), the bits from there moved one place up.</summary>
    private static ulong Inserted(ulong mask, int at, bool set) =>
        (mask & ((1UL << at) - 1)) | (at == 63 ? 0 : (mask >> at) << (at + 1)) | (set ? 1UL << at : 0);

    /// <summary><paramref name="mask"/> without its bit at <paramref name="at"/> (below 64), the bits above moved one place down.</summary>
    private static ulong Removed(ulong mask, int at) =>
        (mask & ((1UL << at) - 1)) | (at == 63 ? 0 : (mask >> (at + 1)) << at);

    /// <summary>Gives the thread back the arrays of leaves of a draft that will not become an event.</summary>
    public void Abandon() => GiveBackLeaves();

    /// <summary>Empties the made leaves and gives the thread back their arrays, cleared of this event's paths and strings.</summary>
    private void GiveBackLeaves()
    {
        if (_paths is { } paths && _values is { } values)
        {
            Array.Clear(paths, 0, _leafCount);
            Array.Clear(values, 0, _leafCount);
            (_thread.SparePaths, _thread.SpareValues) = (paths, values);
        }
        // The leaves are gone: the state they reached no longer stands for the draft's (until Emptied starts it again).
        (_paths, _values, _leafCount, _booleans, _longs, _placedOff) = (null, null, 0, 0, 0, true);
    }

    /// <summary>
    /// Leaves out of the sender's object the root keys <paramref name="consumed"/> (the reserved fields taken from it), as
    /// <see cref="ReservedFields.Extract"/> removes them from the object it adopts.
    /// </summary>
    public void KeepSent(List<string> consumed)
    {
        var (sent, leaves, runs, _, _) = _sent ?? throw new InvalidOperationException("No sender's object was read.");
        var roots = new string[runs.Length - runs.Count(run => consumed.Contains(run.Key))];
        var kept = roots.Length;
        // From the last run, so that removing one leaves the earlier ones where they are.
        for (var i = runs.Length - 1; i >= 0; i--)
        {
            if (consumed.Contains(runs[i].Key))
            {
                leaves.RemoveRange(runs[i].Start, runs[i].Count);
            }
            else
            {
                roots[--kept] = runs[i].Key;
            }
        }
        _sent = (sent, leaves, runs, roots, [.. consumed]);
    }

    /// <summary>
    /// The attributes as leaves (the event's <see cref="LogEvent.Leaves"/>, in the tree's order) when no tree was needed;
    /// null when the draft holds a tree.
    /// </summary>
    public LeafAttributes? TakeLeaves() => _tree is null ? TakeLeavesHeld() : null;

    /// <summary>
    /// Whether the draft holds a tree (something needed one: an adopted object, a path a leaf cannot stand for, a parser),
    /// which the event then takes instead of leaves.
    /// </summary>
    public bool HoldsTree => _tree is not null;

    /// <summary>
    /// <see cref="TakeLeaves"/> for <paramref name="e"/>, an event being made, while the draft holds no tree: the leaves go
    /// from where the draft keeps them into the event in one copy. Taken as a value, the 48 bytes went through three copies,
    /// each reading what the one before had just written, which the processor does not forward from its stores.
    /// </summary>
    public void GiveLeaves(LogEvent e)
    {
        if (_tree is not null)
        {
            throw new InvalidOperationException("A draft holding a tree gives it, not leaves.");
        }
        e.AdoptLeaves(in TakeLeavesHeldRef());
    }

    /// <summary>The leaves held, as the event keeps them; the list they were gathered in goes back to the thread.</summary>
    private LeafAttributes TakeLeavesHeld() => TakeLeavesHeldRef();

    /// <summary>
    /// <see cref="TakeLeavesHeld"/> as a reference to where the draft keeps them, good until the draft is used again (for
    /// the thread's next event).
    /// </summary>
    private ref readonly LeafAttributes TakeLeavesHeldRef()
    {
        if (_taken is null)
        {
            // Leaves placed by steps alone from none lie as every draft's that took the same steps: their state keeps the paths.
            var paths = _sent is null && !_placedOff && _placed is { } state ? state.PathsOf(_paths, _leafCount) : null;
            _taken = LeafAttributes.From(_paths, _values, _leafCount, _booleans, _longs, _sent?.Leaves, _sent?.Object, _sent?.Consumed, paths);
            if (_sent?.Leaves is { } sentLeaves)
            {
                sentLeaves.Clear();
                _thread.SpareSentLeaves = sentLeaves.Capacity <= 4096 ? sentLeaves : null;
            }
            GiveBackLeaves();
        }
        return ref Nullable.GetValueRefOrDefaultRef(in _taken);
    }

    /// <summary>
    /// The values at <paramref name="path"/>, read from the leaves while no tree exists (nothing is built), else from the tree.
    /// </summary>
    /// <remarks>
    /// Without a tree no key holds a dot (<see cref="AttributePath.FlattenSent"/>), so the tree's lookup finds exactly the
    /// leaves of the path, in the tree's order: the sender's, then the made ones.
    /// </remarks>
    public IEnumerable<AttributeValue> Values(string path)
    {
        if (_tree is not null)
        {
            return AttributePath.Values(_tree, path);
        }
        var values = new List<AttributeValue>();
        foreach (var (key, value) in _taken is { } taken ? taken.Leaves : (IEnumerable<KeyValuePair<string, AttributeValue>>?)_sent?.Leaves ?? [])
        {
            if (key == path)
            {
                values.Add(value);
            }
        }
        if (_taken is null && _paths is { } made)
        {
            for (var i = 0; i < _leafCount; i++)
            {
                if (made[i] == path)
                {
                    values.Add(_values![i]);
                }
            }
        }
        return values;
    }

    /// <summary>
    /// Sets the attribute at <paramref name="path"/> unless something is already there, or on the way: a sender's value
    /// that is not an object (<c>"network": "x"</c>) is not replaced by the object a parser's path needs. A null counts as
    /// nothing, as for <see cref="AttributePath.Exists"/>.
    /// </summary>
    public void Add(string path, JsonNode? value)
    {
        if (value is not null && !TryAddThroughPlainObjects(path, value) && !AttributePath.Exists(Attributes, path) && !AttributePath.SetWouldReplace(Attributes, path))
        {
            AttributePath.Set(Attributes, path, value.Parent is null ? value : IntakeFields.Detach(value));
        }
    }

    /// <inheritdoc cref="Add(string, JsonNode?)"/>
    public void Add(string path, int value)
    {
        if (!TryAddLeaf(path, new AttributeValue(AttributeValue.FormatNumber(value), value), LeafTree.Kind.Int))
        {
            Add(path, JsonValue.Create(value));
        }
    }

    /// <inheritdoc cref="Add(string, JsonNode?)"/>
    /// <remarks>A leaf holds its number as a double: a long beyond 2^53, which a double cannot hold exactly, goes to the tree.</remarks>
    public void Add(string path, long value)
    {
        if (value is > ExactInDouble or < -ExactInDouble || !TryAddLeaf(path, new AttributeValue(AttributeValue.FormatNumber(value), value), LeafTree.Kind.Long))
        {
            Add(path, JsonValue.Create(value));
        }
    }

    /// <summary>The largest whole number every smaller one of which a double holds exactly.</summary>
    private const long ExactInDouble = 1L << 53;

    /// <inheritdoc cref="Add(string, JsonNode?)"/>
    public void Add(string path, bool value)
    {
        if (!TryAddLeaf(path, new AttributeValue(value ? "true" : "false", null), LeafTree.Kind.Boolean))
        {
            Add(path, JsonValue.Create(value));
        }
    }

    /// <summary>
    /// Adds a leaf while the draft has no tree: false, with nothing changed, once it has one, or when the path has an empty
    /// segment or the leaves are full (then the tree is built and the caller adds to it). The rule is the tree's: nothing is
    /// added where a leaf is, where leaves lie below (an object), or below a leaf (a value on the way). The leaf goes after
    /// the last one in its deepest existing object, where the tree would list it.
    /// </summary>
    private bool TryAddLeaf(string path, AttributeValue value, LeafTree.Kind kind)
    {
        if (_tree is not null || _taken is not null)
        {
            _ = Attributes;
            return false;
        }
        // A made leaf: the notes of the sender's leaves no longer say all there is (Texts).
        _notesStale = true;
        var state = Placed();
        if (state?.Find(path) is { } known)
        {
            // The same path after the same paths: it goes where it went then.
            Place(known, path, value, kind);
            return true;
        }
        var first = LeafTree.PlainFirstSegment(path);
        if (first < 0 || InSentObject(path))
        {
            _ = Attributes;
            return false;
        }
        var bit = SegmentBit(path, first);
        var at = PlaceOf(path, first, bit);
        if (at == NoRoom)
        {
            _ = Attributes;
            return false;
        }
        Place(Learned(state, new Placement.Step(path, at, bit, null)), path, value, kind);
        return true;
    }

    /// <summary><paramref name="step"/> learned from <paramref name="state"/>, or as it is when the leaves are not followed.</summary>
    private Placement.Step Learned(Placement? state, Placement.Step step) => state is null ? step : state.Learn(step, _thread);

    /// <summary>Makes the step: the leaf put at its place (unless the step is a conflict), and the state it leads to.</summary>
    private void Place(Placement.Step step, string path, AttributeValue value, LeafTree.Kind kind)
    {
        if (step.At != Conflict)
        {
            InsertLeaf(step.At, path, value, kind);
            _segments |= step.Bit;
        }
        (_placed, _placedOff) = (step.Next, step.Next is null);
    }

    /// <summary>
    /// Where a leaf at <paramref name="path"/> (whose first segment is its first <paramref name="first"/> characters, of
    /// <see cref="_segments"/> bit <paramref name="bit"/>) goes among the leaves: after the last one in its deepest existing object, where the tree would list it;
    /// <see cref="Conflict"/> when something is in the way (a leaf where it would go, leaves below it, a leaf on its way),
    /// or <see cref="NoRoom"/> when the leaves are full.
    /// </summary>
    private int PlaceOf(string path, int first, ulong bit)
    {
        if ((_segments & bit) == 0 && _leafCount < LeafAttributes.MaxLeaves)
        {
            // No leaf lies under the path's first segment: nothing is in its way, and it goes last.
            return _leafCount;
        }
        var at = _leafCount;
        var deepest = 0;
        // A leaf whose first segment is another shares nothing with the path and is not in its way: most are told apart by
        // their first character, without comparing the rest.
        var held = _paths.AsSpan(0, _leafCount);
        for (var i = 0; i < held.Length; i++)
        {
            var other = held[i];
            if (other.Length < first || other[0] != path[0] || (other.Length > first && other[first] != '.')
                || !ShortSpans.Same(other.AsSpan(0, first), path.AsSpan(0, first)))
            {
                continue;
            }
            var (shared, conflict) = SharedUnderFirst(path, other, first);
            if (conflict)
            {
                return Conflict;
            }
            if (shared > 0 && shared >= deepest)
            {
                (deepest, at) = (shared, i + 1);
            }
        }
        return _leafCount == LeafAttributes.MaxLeaves ? NoRoom : at;
    }

    /// <summary>What <see cref="PlaceOf"/> gives when something is in the path's way: nothing is added.</summary>
    private const int Conflict = -1;

    /// <summary>What <see cref="PlaceOf"/> gives when the leaves are full: the tree takes the attribute.</summary>
    private const int NoRoom = -2;

    /// <summary>
    /// The state of the leaves (<see cref="Placement"/>): null when they are not followed, having been made otherwise than
    /// by steps from none (a removed leaf, a sender's object read whole).
    /// </summary>
    private Placement? Placed() => _placedOff ? null : _placed ??= Placement.Root(_thread);

    /// <summary>The state of the leaves once followed (<see cref="Placed"/>); null before the first step (the thread's root).</summary>
    private Placement? _placed;

    /// <summary>Whether the leaves are no longer followed (<see cref="Placed"/>).</summary>
    private bool _placedOff;

    /// <summary>
    /// Where leaves went, learned: a state stands for the paths of the leaves a draft holds, in order, reached by adding them
    /// one by one from none, and each of its steps says where the next path went from there (or that it was in the way)
    /// and which state follows. The same paths in the same order always place the next one the same way, so a step, found
    /// by the path's identity (parsers' paths are their constants, readers' the nodes of the thread's tree of paths), spares
    /// the search among the leaves that <see cref="PlaceOf"/> makes: an access line's seven leaves under <c>http</c>, each
    /// compared with those before it. A state also keeps the paths of its leaves once an event asks for them
    /// (<see cref="PathsOf"/>), shared by every event whose leaves reached it. One tree of states per thread, bounded: a
    /// state keeps its last few steps (a new one replaces the oldest: paths no longer met, such as those of a thread's tree
    /// of paths that started again, fall out), and once the thread has made <see cref="MaxStates"/> states the tree starts
    /// again with the next event; at most a few megabytes of paths and last texts per thread.
    /// </summary>
    internal sealed class Placement
    {
        /// <summary>The states a thread makes before its tree starts again, and the steps a state keeps.</summary>
        private const int MaxStates = 4096, MaxSteps = 8;

        private Step[] _steps = [];

        /// <summary>The step to replace next once <see cref="_steps"/> holds <see cref="MaxSteps"/>.</summary>
        private int _oldest;

        /// <summary>The state of no leaves, <paramref name="thread"/>'s.</summary>
        public static Placement Root(IntakeThread thread)
        {
            if (thread.PlacementRoot is not { } root || thread.PlacementStates >= MaxStates)
            {
                (root, thread.PlacementStates) = (new Placement(), 1);
                thread.PlacementRoot = root;
            }
            return root;
        }

        /// <summary>
        /// The paths of the leaves a draft holds in this state, the first <paramref name="count"/> of <paramref name="paths"/>: the
        /// same for every draft here, so made once and shared by the events whose leaves took the same steps.
        /// </summary>
        /// <remarks>Null (the event then keeps paths of its own) should a draft here hold another number of leaves, which steps never give.</remarks>
        public string[]? PathsOf(string[]? paths, int count)
        {
            _paths ??= paths.AsSpan(0, count).ToArray();
            return _paths.Length == count ? _paths : null;
        }

        private string[]? _paths;

        /// <summary>The step of <paramref name="path"/> from here, if learned.</summary>
        public Step? Find(string path)
        {
            foreach (var step in _steps)
            {
                if (ReferenceEquals(step.Path, path))
                {
                    return step;
                }
            }
            return null;
        }

        /// <summary>
        /// <paramref name="step"/> (with no next state yet) learned from here: with its next state, new unless the step is a
        /// conflict (the leaves stay as they are), in place of the oldest step when this state keeps all it may; without one,
        /// not learned, once the thread has made all the states it may until its tree starts again.
        /// </summary>
        public Step Learn(Step step, IntakeThread thread)
        {
            if (thread.PlacementStates >= MaxStates)
            {
                return step;
            }
            Placement next;
            if (step.At == Conflict)
            {
                next = this;
            }
            else
            {
                next = new Placement();
                thread.PlacementStates++;
            }
            var learned = step with { Next = next };
            if (_steps.Length < MaxSteps)
            {
                _steps = [.. _steps, learned];
            }
            else
            {
                _steps[_oldest] = learned;
                _oldest = (_oldest + 1) % MaxSteps;
            }
            return learned;
        }

        /// <summary>A path's place from a state (<see cref="Conflict"/> when in the way), its first segment's bit (<see cref="SegmentBit"/>), and the state that follows (null: not followed).</summary>
        public sealed record Step(string Path, int At, ulong Bit, Placement? Next)
        {
            /// <summary>
            /// The text a parser last added by this step (<see cref="AddText(string, ReadOnlySpan{char})"/>), when no longer
            /// than the thread shares (<see cref="RecurringText.MaxLength"/>): the same path after the same paths is the
            /// same field of the same kind of line, which most often holds the same value as the line before (a method, a
            /// protocol, a user agent), and comparing it costs less than finding it among the thread's recurring values.
            /// The states are the thread's, so a stream mixing kinds of lines keeps one per kind; the length bounds what
            /// the thread's states keep alive.
            /// </summary>
            public string? LastText { get; set; }
        }
    }

    /// <summary>
    /// <see cref="LeafTree.Shared"/> for two paths known to begin with the same first segment, <paramref name="first"/>
    /// characters long: compared from the end of that segment on (<see cref="LeafTree.SharedFrom"/>).
    /// </summary>
    internal static (int Shared, bool Conflict) SharedUnderFirst(string path, string other, int first)
    {
        System.Diagnostics.Debug.Assert(
            other.Length >= first && ShortSpans.Same(other.AsSpan(0, first), path.AsSpan(0, first)) && (other.Length == first || other[first] == '.')
            && (path.Length == first || path[first] == '.'),
            "Both paths begin with the same whole first segment.");
        // One is the first segment itself: a leaf where the other's object is, or the same path.
        return path.Length == first || other.Length == first ? (0, true) : LeafTree.SharedFrom(path, other, first + 1, 1);
    }

    /// <summary>The bit of <see cref="_segments"/> for a path whose first segment is its first <paramref name="first"/> characters.</summary>
    private static ulong SegmentBit(string path, int first) => 1UL << ((path[0] * 7 + first * 13 + path[first - 1]) & 63);

    /// <summary>
    /// Adds <paramref name="value"/> in one walk when the path leads, until its first missing step, only through objects
    /// whose keys hold no dot (the root, checked key by key, and objects made here): then no longer literal key can stand
    /// for several steps, and the missing step means nothing is at the path. This is the parsers' usual case, and it spares
    /// the general search (<see cref="AttributePath.Exists"/> tries every longer key first) and a second walk. False,
    /// without any change, when the walk meets anything else; the general search then decides.
    /// </summary>
    private bool TryAddThroughPlainObjects(string path, JsonNode value)
    {
        if (!RootKeysArePlain() || path.Length == 0)
        {
            return false;
        }
        var segments = DottedPath.Of(path).Segments;
        var current = Attributes;
        for (var i = 0; i < segments.Length; i++)
        {
            if (!current.TryGetPropertyValue(segments[i], out var child))
            {
                // The leaf first: nothing is made if it cannot be.
                var leaf = value.Parent is null ? value : IntakeFields.Detach(value);
                for (; i < segments.Length - 1; i++)
                {
                    var made = new JsonObject();
                    current.Add(segments[i], made);
                    (_made ??= new List<JsonObject>(4)).Add(made);
                    current = made;
                }
                current.Add(segments[^1], leaf);
                return true;
            }
            if (i == segments.Length - 1 || child is not JsonObject next || _made?.Contains(next) != true)
            {
                return false;
            }
            current = next;
        }
        return false;
    }

    /// <summary>
    /// Whether no key of the root holds a dot. Normalisation only ever appends keys to a draft's attributes once it has them
    /// (the sender's reserved fields are removed before <see cref="Adopt"/>), so the keys read stay read and only new ones
    /// are; should the root's keys ever move (a key removed or inserted before the last one read), all are read again.
    /// </summary>
    private bool RootKeysArePlain()
    {
        var root = Attributes;
        if (_plainKeys > 0 && (_plainKeys > root.Count || !ReferenceEquals(root.GetAt(_plainKeys - 1).Key, _lastPlainKey)))
        {
            (_plainKeys, _lastPlainKey, _dottedKey) = (0, null, false);
        }
        while (!_dottedKey && _plainKeys < root.Count)
        {
            _lastPlainKey = root.GetAt(_plainKeys++).Key;
            _dottedKey = _lastPlainKey.Contains('.');
        }
        return !_dottedKey;
    }

    /// <summary>Whether <paramref name="path"/> starts at one of the sender's root keys (where the tree decides what is added).</summary>
    private bool InSentObject(string path)
    {
        if (_sent is not { Roots: var roots })
        {
            return false;
        }
        var dot = path.IndexOf('.');
        var first = dot < 0 ? path.AsSpan() : path.AsSpan(0, dot);
        foreach (var root in roots)
        {
            if (first.SequenceEqual(root))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Adds a string attribute, skipping null, empty and the log formats' "-" placeholder.</summary>
    public void AddText(string path, string? value)
    {
        if (!string.IsNullOrEmpty(value) && value != "-" && !TryAddLeaf(path, new AttributeValue(value, null), LeafTree.Kind.Text))
        {
            Add(path, JsonValue.Create(value));
        }
    }

    /// <summary>
    /// <see cref="AddText(string, string?)"/> for a part of a line, its string shared with the events that recur it
    /// (<see cref="RecurringText"/>): when the draft's leaves have taken this path from where they stand before, the step's
    /// last text (<see cref="Placement.Step.LastText"/>) is compared first, and a step that found the path in the way
    /// makes no string.
    /// </summary>
    public void AddText(string path, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || (value.Length == 1 && value[0] == '-'))
        {
            return;
        }
        if (_tree is null && _taken is null && Placed()?.Find(path) is { } known)
        {
            // The same path after the same paths, as TryAddLeaf takes it.
            _notesStale = true;
            if (known.At == Conflict)
            {
                Place(known, path, default, LeafTree.Kind.Text);
                return;
            }
            string text;
            if (known.LastText is { } last && ShortSpans.Same(value, last))
            {
                text = last;
            }
            else
            {
                text = RecurringText.Of(_thread.Texts, value);
                known.LastText = text.Length <= RecurringText.MaxLength ? text : null;
            }
            Place(known, path, new AttributeValue(text, null), LeafTree.Kind.Text);
            return;
        }
        AddText(path, RecurringText.Of(_thread.Texts, value));
    }

    /// <summary>The first string leaf at <paramref name="path"/>, or null.</summary>
    public string? Text(string path) => (_tree is null ? FirstLeaf(path) : AttributePath.First(_tree, path)) is { Number: null } value ? value.Text : null;

    /// <summary>
    /// <see cref="Text"/> of each of <paramref name="paths"/> (at most 32) into <paramref name="found"/>: while the draft holds
    /// only made leaves, all found in one walk of them.
    /// </summary>
    public void Texts(ReadOnlySpan<string> paths, Span<string?> found)
    {
        if (paths.Length > 32 || found.Length < paths.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(paths), "At most 32 paths, and a place for each.");
        }
        if (_tree is not null || _taken is not null || _sent is not null || _paths is null || _values is null)
        {
            for (var i = 0; i < paths.Length; i++)
            {
                found[i] = Text(paths[i]);
            }
            return;
        }
        found[..paths.Length].Clear();
        if (!_notesStale && paths == NotedPaths)
        {
            // Every leaf was added by the reader, which noted where each of these paths was first met.
            for (var i = 0; i < paths.Length; i++)
            {
                if ((_noted & (1u << i)) != 0 && _values[_notedAt[i]] is { Number: null } value)
                {
                    found[i] = value.Text;
                }
            }
            return;
        }
        var pending = paths.Length == 32 ? uint.MaxValue : (1u << paths.Length) - 1;
        // The lengths sought (those of 63 or more share the last bit): most leaves have none of them, and are passed over
        // without comparing their path with each.
        var lengths = 0UL;
        foreach (var path in paths)
        {
            lengths |= 1UL << Math.Min(path.Length, 63);
        }
        for (var at = 0; at < _leafCount; at++)
        {
            var key = _paths[at];
            if ((lengths & (1UL << Math.Min(key.Length, 63))) == 0)
            {
                continue;
            }
            for (var i = 0; i < paths.Length; i++)
            {
                // The first leaf at a path answers for it, as in FirstLeaf.
                if ((pending & (1u << i)) != 0 && key.Length == paths[i].Length && string.Equals(key, paths[i]))
                {
                    pending &= ~(1u << i);
                    found[i] = _values[at] is { Number: null } value ? value.Text : null;
                }
            }
            if (pending == 0)
            {
                return;
            }
        }
    }

    /// <summary>The first leaf at <paramref name="path"/> while there is no tree (<see cref="Values"/>), found without gathering the rest.</summary>
    private AttributeValue? FirstLeaf(string path)
    {
        if (_taken is { Leaves: var taken })
        {
            foreach (var (key, value) in taken)
            {
                if (key == path)
                {
                    return value;
                }
            }
        }
        foreach (var (key, value) in _taken is null && _sent is { Leaves: var list } ? CollectionsMarshal.AsSpan(list) : [])
        {
            if (key == path)
            {
                return value;
            }
        }
        if (_taken is null && _paths is not null)
        {
            for (var i = 0; i < _leafCount; i++)
            {
                if (_paths[i] == path)
                {
                    return _values![i];
                }
            }
        }
        return null;
    }
}
