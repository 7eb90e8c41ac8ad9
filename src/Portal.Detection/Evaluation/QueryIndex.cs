using System.Runtime.CompilerServices;
using Portal.Detection.Events;
using Portal.Detection.Query;
using Portal.Detection.Rules;

namespace Portal.Detection.Evaluation;

/// <summary>
/// What an event must carry for a query to have a chance: a field's exact value, a literal within a field's value, or
/// (the empty literal, which every value contains) any value of the field.
/// </summary>
/// <param name="Field">The field; for free text the literal is searched in the message, ignoring ASCII case (free-text literals are lower-cased).</param>
/// <param name="Text">The exact value, or the literal.</param>
/// <param name="IsLiteral">True for a literal contained in the value, false for the whole value.</param>
public readonly record struct IndexKey(FieldRef Field, string Text, bool IsLiteral);

/// <summary>
/// Finds, for one event, the rule queries it matches without testing every query. Each query is filed under keys an
/// event must carry for it to match: exact field values (<c>@evt.name:ConsoleLogin</c> in
/// <c>source:cloudtrail @evt.name:ConsoleLogin</c>) or literals its wildcards and words require
/// (<c>jndi:</c> in <c>@http.url:*${jndi:*</c>). An event then meets only the queries filed under its own values,
/// found by dictionary lookups and by one Aho-Corasick pass over each field that has literals, plus the few queries
/// without keys (pure negations). Queries that need only some value of a field (ranges, networks, exists, short
/// wildcards) are filed under the field's presence. A conjunction is filed under the keys of its two most selective
/// parts, and is a candidate only when the event carries a key of each: <c>@evt.name:authentication
/// @evt.outcome:success</c> is not tried on every failed login. Filing is an optimisation only: every candidate is
/// confirmed by <see cref="QueryMatcher"/>, so results equal testing every query.
/// </summary>
public sealed class QueryIndex<T>
{
    private readonly List<(Func<LogEvent, bool> Matches, T Target)> _entries = [];
    /// <summary>Keys on reserved fields, tags and free text: few fields, looked up one by one.</summary>
    private readonly Dictionary<FieldRef, FieldKeys> _byField = [];

    /// <summary>Keys on attributes, by path: the event's own leaves are looked up here, so rules may use any number of attributes.</summary>
    private readonly Dictionary<string, FieldKeys> _byAttribute = new(StringComparer.Ordinal);
    private readonly List<int> _unfiled = [];

    /// <summary>
    /// The filings an event's keys reach, each a query's slot and the part of it the key stands for
    /// (<c>slot &lt;&lt; 1 | part</c>).
    /// </summary>
    private readonly List<int> _reached = [];

    /// <summary>The slots whose every part was reached.</summary>
    private readonly List<int> _candidates = [];
    private readonly List<int> _found = [];

    /// <summary>Per slot, the parts an event must reach (bits), and those the current event has (valid when stamped with it).</summary>
    private readonly List<byte> _required = [];
    private byte[] _parts = [];
    private int[] _stamps = [];
    private int _stamp;

    /// <summary>Number of queries that every event must be tested against.</summary>
    public int UnfiledCount => _unfiled.Count;

    /// <summary>Candidate queries confirmed with the matcher so far: what the index did not spare.</summary>
    public long CandidatesTested { get; private set; }

    /// <summary>Number of queries in the index.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds a query; <paramref name="target"/> is what <see cref="Matches"/> returns for it.</summary>
    public void Add(QueryNode query, T target)
    {
        var slot = _entries.Count;
        _entries.Add((QueryMatcher.Compile(query), target));
        var parts = QueryKeys.RequiredParts(query);
        if (parts is null)
        {
            _required.Add(1);
            _unfiled.Add(slot << 1);
            return;
        }
        _required.Add((byte)((1 << parts.Count) - 1));
        for (var part = 0; part < parts.Count; part++)
        {
            foreach (var key in parts[part])
            {
                var filings = KeysOf(key.Field).Slots(key);
                if (!filings.Contains(slot << 1 | part))
                {
                    filings.Add(slot << 1 | part);
                }
            }
        }
    }

    /// <summary>Adds the targets of every query <paramref name="e"/> matches to <paramref name="matches"/>, in the order queries were added.</summary>
    public void Matches(LogEvent e, List<T> matches)
    {
        if (_stamps.Length < _entries.Count)
        {
            _stamps = new int[_entries.Count];
            _parts = new byte[_entries.Count];
        }
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_stamps);
            foreach (var keys in _byField.Values.Concat(_byAttribute.Values))
            {
                keys.ForgetEvents();
            }
            _stamp = 1;
        }
        _reached.Clear();
        _reached.AddRange(_unfiled);
        foreach (var (field, keys) in _byField)
        {
            if (field.Kind == FieldKind.FreeText)
            {
                // The free-text automaton ignores ASCII case: an ASCII message (nearly all) is read as it is, not lower-cased.
                var message = e.Message is { } text && System.Text.Ascii.IsValid(text) ? text : e.MessageLower;
                keys.Collect(message, _reached, _found, literalOnly: true);
                continue;
            }
            // Each kind of field read in place: an iterator would be an object per field per event. (Attributes are
            // filed by path and met through the event's leaves below.)
            switch (field.Kind)
            {
                case FieldKind.Reserved:
                    if (e.GetReserved(field.Name) is { } reserved)
                    {
                        keys.Collect(reserved, _reached, _found, literalOnly: false, _stamp);
                    }
                    break;
                case FieldKind.Tag:
                    foreach (var tag in e.Tags)
                    {
                        if (FieldNames.TagValue(field.Name, tag) is { } value)
                        {
                            keys.Collect(value, _reached, _found, literalOnly: false, _stamp);
                        }
                    }
                    break;
            }
        }
        foreach (var (path, value) in e.Leaves)
        {
            if (AttributeKeys(path) is { } keys)
            {
                keys.Collect(value.Text, _reached, _found, literalOnly: false, _stamp);
            }
        }
        // A slot becomes a candidate once, when the last of its parts is reached.
        _candidates.Clear();
        foreach (var filing in _reached)
        {
            var slot = filing >> 1;
            if (_stamps[slot] != _stamp)
            {
                _stamps[slot] = _stamp;
                _parts[slot] = 0;
            }
            var before = _parts[slot];
            var after = (byte)(before | 1 << (filing & 1));
            if (after != before)
            {
                _parts[slot] = after;
                if (after == _required[slot])
                {
                    _candidates.Add(slot);
                }
            }
        }
        if (_candidates.Count > 1)
        {
            _candidates.Sort();
        }
        foreach (var slot in _candidates)
        {
            CandidatesTested++;
            var (matchesQuery, target) = _entries[slot];
            if (matchesQuery(e))
            {
                matches.Add(target);
            }
        }
    }

    /// <summary>
    /// The attributes' keys last looked up, by path instance. Leaves name their paths with the strings of the path tree
    /// that listed them (<see cref="AttributePath"/>), the same instances event after event, so that a lookup here mostly
    /// compares a reference instead of hashing and comparing the path's characters. Direct-mapped by identity hash: a
    /// path met for the first time, or evicted, is looked up by its characters.
    /// </summary>
    private readonly (string? Path, FieldKeys? Keys)[] _recentPaths = new (string?, FieldKeys?)[512];

    /// <summary>The keys filed under the attribute <paramref name="path"/>, or null.</summary>
    private FieldKeys? AttributeKeys(string path)
    {
        ref var recent = ref _recentPaths[RuntimeHelpers.GetHashCode(path) & (_recentPaths.Length - 1)];
        if (ReferenceEquals(recent.Path, path))
        {
            return recent.Keys;
        }
        _byAttribute.TryGetValue(path, out var keys);
        recent = (path, keys);
        return keys;
    }

    private FieldKeys KeysOf(FieldRef field)
    {
        FieldKeys? keys;
        if (field.Kind == FieldKind.Attribute ? !_byAttribute.TryGetValue(field.Name, out keys) : !_byField.TryGetValue(field, out keys))
        {
            keys = new FieldKeys(ignoreAsciiCase: field.Kind == FieldKind.FreeText);
            if (field.Kind == FieldKind.Attribute)
            {
                _byAttribute[field.Name] = keys;
                // A path remembered without keys has some now.
                Array.Clear(_recentPaths);
            }
            else
            {
                _byField[field] = keys;
            }
        }
        return keys;
    }

    /// <summary>The queries filed under one field: by exact value, and by literal through an automaton.</summary>
    private sealed class FieldKeys(bool ignoreAsciiCase)
    {
        private readonly Dictionary<string, List<int>> _byValue = new(StringComparer.Ordinal);
        private readonly LiteralAutomaton _automaton = new(ignoreAsciiCase);
        private readonly List<List<int>> _literalSlots = [];
        private readonly Dictionary<string, int> _literalIds = new(StringComparer.Ordinal);

        /// <summary>Queries that need only some value of the field (ranges, networks, exists, short wildcards).</summary>
        private readonly List<int> _anyValue = [];

        public List<int> Slots(IndexKey key)
        {
            if (key is { IsLiteral: true, Text.Length: 0 })
            {
                return _anyValue;
            }
            if (!key.IsLiteral)
            {
                if (!_byValue.TryGetValue(key.Text, out var slots))
                {
                    slots = [];
                    _byValue[key.Text] = slots;
                    _valueLengths |= LengthBit(key.Text.Length);
                }
                return slots;
            }
            if (!_literalIds.TryGetValue(key.Text, out var id))
            {
                id = _literalSlots.Count;
                _literalSlots.Add([]);
                _literalIds[key.Text] = id;
                _automaton.Add(key.Text, id);
            }
            return _literalSlots[id];
        }

        /// <summary>
        /// The lengths of the exact values filed, one bit each (63 for any longer): a value of another length is not
        /// looked up, so a long URL or user agent is not hashed for a field whose queries name short values.
        /// </summary>
        private ulong _valueLengths;

        private static ulong LengthBit(int length) => 1UL << Math.Min(length, 63);

        /// <summary>The event whose values were last collected, so that an array of values adds the field's presence once.</summary>
        private int _seen;

        /// <summary>Forgets the last event, when the index's event stamps start over.</summary>
        public void ForgetEvents() => _seen = 0;

        /// <summary>
        /// Adds the slots filed under <paramref name="value"/> or under literals it contains, and the first time for
        /// <paramref name="stamp"/> (an event), those that need only a value of the field.
        /// </summary>
        public void Collect(string value, List<int> candidates, List<int> found, bool literalOnly, int stamp = 0)
        {
            if (_anyValue.Count > 0 && (stamp == 0 || _seen != stamp))
            {
                _seen = stamp;
                candidates.AddRange(_anyValue);
            }
            if (!literalOnly && (_valueLengths & LengthBit(value.Length)) != 0 && _byValue.TryGetValue(value, out var exact))
            {
                candidates.AddRange(exact);
            }
            if (_literalSlots.Count == 0)
            {
                return;
            }
            found.Clear();
            _automaton.Find(value, found);
            foreach (var id in found)
            {
                candidates.AddRange(_literalSlots[id]);
            }
        }
    }
}

/// <summary>The keys under which <see cref="QueryIndex{T}"/> files a query.</summary>
public static class QueryKeys
{
    /// <summary>Literals shorter than this are too common to narrow anything down.</summary>
    public const int MinLiteralLength = 3;

    /// <summary>
    /// Sets of keys of each of which an event must carry at least one for <paramref name="node"/> to match, or null when
    /// there is none: for a conjunction, the keys of its two most selective parts; otherwise <see cref="Required"/>.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<IndexKey>>? RequiredParts(QueryNode node)
    {
        if (node is AndNode)
        {
            // Nested conjunctions count as one (a rule's exclusions wrap its query in another AND). Stable: among
            // equally selective parts, the first, as Required chooses.
            var parts = Conjuncts(node).Select(Required).OfType<IReadOnlyList<IndexKey>>().OrderByDescending(Selectivity).Take(2).ToList();
            return parts.Count == 0 ? null : parts;
        }
        return Required(node) is { } keys ? [keys] : null;
    }

    /// <summary>The parts of a conjunction, nested conjunctions opened.</summary>
    private static IEnumerable<QueryNode> Conjuncts(QueryNode node) =>
        node is AndNode and ? and.Children.SelectMany(Conjuncts) : [node];

    /// <summary>
    /// Keys of which an event must carry at least one for <paramref name="node"/> to match, or null when there is no
    /// such set. An AND needs only its most selective child's keys; an OR needs a key of every child.
    /// </summary>
    public static IReadOnlyList<IndexKey>? Required(QueryNode node)
    {
        switch (node)
        {
            case TermNode term:
                return TermKey(term) is { } key ? [key] : null;
            case RangeNode range:
                // Ranges and networks are tested on attribute values (see QueryMatcher): the attribute must be there.
                return [Present(new FieldRef(FieldKind.Attribute, range.Field.Name))];
            case CidrNode cidr:
                return [Present(new FieldRef(FieldKind.Attribute, cidr.Field.Name))];
            case ExistsNode exists when exists.Field.Kind != FieldKind.FreeText:
                return [Present(exists.Field)];
            case AndNode and:
                IReadOnlyList<IndexKey>? best = null;
                foreach (var child in and.Children)
                {
                    if (Required(child) is { } keys && (best is null || Selectivity(keys) > Selectivity(best)))
                    {
                        best = keys;
                    }
                }
                return best;
            case OrNode or:
                var all = new List<IndexKey>();
                foreach (var child in or.Children)
                {
                    if (Required(child) is not { } keys)
                    {
                        return null;
                    }
                    all.AddRange(keys);
                }
                return all;
            default:
                return null;
        }
    }

    /// <summary>
    /// The key a term requires. Facet values compare ordinally, so an exact facet term needs its value and a wildcard
    /// its longest literal run; free-text terms need their longest word (lower-cased, as the message is searched).
    /// </summary>
    private static IndexKey? TermKey(TermNode term)
    {
        if (term.Field.Kind == FieldKind.FreeText)
        {
            var literal = term.Kind is TermKind.Wildcard or TermKind.MessagePattern
                ? LongestLiteral(term.Value)
                : TextTokens.Tokenize(term.Value).MaxBy(w => w.Length);
            return literal is { Length: >= MinLiteralLength } ? new IndexKey(term.Field, literal, IsLiteral: true) : null;
        }
        switch (term.Kind)
        {
            case TermKind.Exact or TermKind.Phrase:
                return new IndexKey(term.Field, term.Value, IsLiteral: false);
            case TermKind.Prefix when term.Value.Length >= MinLiteralLength:
                return new IndexKey(term.Field, term.Value, IsLiteral: true);
            case TermKind.Wildcard when LongestLiteral(term.Value) is { Length: >= MinLiteralLength } literal:
                return new IndexKey(term.Field, literal, IsLiteral: true);
            default:
                // A short prefix or wildcard (@http.useragent:*=) still needs the field to have a value.
                return Present(term.Field);
        }
    }

    /// <summary>The key of any value of <paramref name="field"/>: the empty literal, which every value contains.</summary>
    private static IndexKey Present(FieldRef field) => new(field, "", IsLiteral: true);

    /// <summary>The longest run of a wildcard pattern without <c>*</c> or <c>?</c>, unescaped.</summary>
    private static string LongestLiteral(string pattern) =>
        WildcardPattern.LiteralRuns(pattern).Select(r => r.Text).MaxBy(t => t.Length) ?? "";

    /// <summary>
    /// How few events a key set lets through, in bits, roughly: a key lets through about 2^-b of events, where b grows with
    /// its length (<c>@http.method:GET</c> or a literal <c>php</c> let a third of web traffic through,
    /// <c>/include/makecvs.php</c> almost none) and reserved fields such as <c>source</c> or <c>status</c> are shared by
    /// whole streams; a set lets through at most the sum of its keys' shares. So a Sigma list of thirty rare URL literals
    /// is filed under those, not under the <c>GET</c> beside it.
    /// </summary>
    private static double Selectivity(IReadOnlyList<IndexKey> keys) =>
        -Math.Log2(keys.Sum(k => Math.Pow(2, -(k switch
        {
            { Text.Length: 0 } => k.Field.Kind == FieldKind.Attribute ? 1 : 0,
            { IsLiteral: true } => Math.Min(k.Text.Length, 16) - 1,
            { Field.Kind: FieldKind.Reserved } => 2,
            _ => Math.Min(k.Text.Length, 12),
        }))));
}
