namespace Portal.Detection.Evaluation;

/// <summary>
/// Aho-Corasick: finds which of many literals occur in a text in one pass over the text, whatever the number of
/// literals. Built once for a set of rules: ASCII characters, nearly all of what logs hold, move through a dense
/// transition table (every failure link resolved ahead, one array read per character); other characters walk the trie
/// and its failure links, so a rule full of CJK text cannot blow the table up. <see cref="Find"/> is safe to call from
/// one thread at a time.
/// </summary>
/// <param name="ignoreAsciiCase">
/// ASCII letters match either case: the free-text automaton, whose literals are lower-cased, reads an ASCII message as
/// it is rather than a lower-cased copy. Other characters still compare exactly.
/// </param>
/// <param name="maxDenseEntries">Largest dense table, in entries (16 MB by default): beyond it every character walks the trie.</param>
internal sealed class LiteralAutomaton(bool ignoreAsciiCase = false, int maxDenseEntries = 4 << 20)
{

    /// <summary>The trie: each state's children by character.</summary>
    private readonly List<Dictionary<char, int>> _next = [new()];
    private readonly List<List<int>> _own = [[]];

    /// <summary>Classes of the ASCII characters the literals use (1..n); every other ASCII character is class 0.</summary>
    private readonly int[] _asciiClass = new int[128];
    private int _classes = 1;

    /// <summary>
    /// For ASCII input, the entry at <c>row + class</c> is the next state's row (<c>state * _classes</c>), with the sign
    /// bit set when literals end in that state; null when too large.
    /// </summary>
    private int[]? _delta;
    private int[] _fail = [0];
    private int[][] _outputs = [];
    private bool _built;

    /// <summary>Adds a literal; <see cref="Find"/> reports it as <paramref name="id"/>.</summary>
    public void Add(string literal, int id)
    {
        _built = false;
        var state = 0;
        foreach (var sent in literal)
        {
            var c = ignoreAsciiCase && char.IsAsciiLetterUpper(sent) ? (char)(sent | 0x20) : sent;
            if (c < 128 && _asciiClass[c] == 0)
            {
                _asciiClass[c] = _classes++;
                if (ignoreAsciiCase && char.IsAsciiLetterLower(c))
                {
                    _asciiClass[c & ~0x20] = _asciiClass[c];
                }
            }
            if (!_next[state].TryGetValue(c, out var next))
            {
                next = _next.Count;
                _next.Add([]);
                _own.Add([]);
                _next[state][c] = next;
            }
            state = next;
        }
        _own[state].Add(id);
    }

    /// <summary>Builds the automaton for the literals added so far, if not built yet.</summary>
    public void Prepare()
    {
        if (!_built)
        {
            Build();
        }
    }

    /// <summary>Adds to <paramref name="found"/> the id of every literal occurring in <paramref name="text"/> (repeats possible).</summary>
    public void Find(ReadOnlySpan<char> text, List<int> found)
    {
        Prepare();
        if (_delta is not { } delta)
        {
            var state = 0;
            foreach (var c in text)
            {
                state = Step(state, Folded(c));
                if (_outputs[state].Length > 0)
                {
                    found.AddRange(_outputs[state]);
                }
            }
            return;
        }
        // The row of the current state, as the table holds it: one read per ASCII character, no multiplication, and
        // the sign says whether literals end there without reading the state's outputs.
        var width = _classes;
        var classes = _asciiClass;
        var row = 0;
        foreach (var c in text)
        {
            var entry = c < 128 ? delta[row + classes[c]] : Entry(Step(row / width, Folded(c)));
            row = entry & int.MaxValue;
            if (entry < 0)
            {
                found.AddRange(_outputs[row / width]);
            }
        }
    }

    private char Folded(char c) => ignoreAsciiCase && char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;

    /// <summary>The table's entry for <paramref name="state"/>: its row, negative when literals end there.</summary>
    private int Entry(int state) => state * _classes | (_outputs[state].Length > 0 ? int.MinValue : 0);

    /// <summary>The state after <paramref name="c"/> from <paramref name="state"/>, following failure links.</summary>
    private int Step(int state, char c)
    {
        while (true)
        {
            if (_next[state].TryGetValue(c, out var next))
            {
                return next;
            }
            if (state == 0)
            {
                return 0;
            }
            state = _fail[state];
        }
    }

    /// <summary>
    /// Failure links breadth-first (a state's failure state is shallower, so complete before it is needed); each state's
    /// outputs include its failure state's; a state's ASCII row is its failure state's row with its own children on top.
    /// </summary>
    private void Build()
    {
        var states = _next.Count;
        var width = _classes;
        var delta = (long)states * width <= maxDenseEntries ? new int[states * width] : null;
        _fail = new int[states];
        var outputs = new int[states][];
        outputs[0] = [.. _own[0]];
        var queue = new Queue<int>();
        queue.Enqueue(0);
        while (queue.TryDequeue(out var state))
        {
            if (delta is not null && state != 0)
            {
                Array.Copy(delta, _fail[state] * width, delta, state * width, width);
            }
            foreach (var (c, child) in _next[state])
            {
                _fail[child] = state == 0 ? 0 : Step(_fail[state], c);
                outputs[child] = [.. _own[child], .. outputs[_fail[child]]];
                if (delta is not null && c < 128)
                {
                    delta[state * width + _asciiClass[c]] = child * width | (outputs[child].Length > 0 ? int.MinValue : 0);
                }
                queue.Enqueue(child);
            }
        }
        if (delta is not null && outputs[0].Length > 0)
        {
            // Entries left at 0 lead back to the root: they must say that literals end there too.
            for (var i = 0; i < delta.Length; i++)
            {
                delta[i] = delta[i] == 0 ? int.MinValue : delta[i];
            }
        }
        _delta = delta;
        _outputs = outputs;
        _built = true;
    }
}
