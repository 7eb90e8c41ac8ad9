namespace Portal.Detection.Evaluation;

/// <summary>
/// Aho-Corasick: finds which of many literals occur in a text in one pass over the text, whatever the number of
/// literals. Built once for a set of rules into a dense transition table (every failure link resolved ahead), so that
/// reading a character costs one array read; <see cref="Find"/> is safe to call from one thread at a time.
/// </summary>
internal sealed class LiteralAutomaton
{
    /// <summary>The trie while literals are added: each state's children by character.</summary>
    private readonly List<Dictionary<char, int>> _next = [new()];
    private readonly List<List<int>> _own = [[]];

    /// <summary>Character classes: the characters the literals use get 1..n, every other character 0.</summary>
    private readonly int[] _asciiClass = new int[128];
    private readonly Dictionary<char, int> _otherClass = [];
    private int _classes = 1;

    /// <summary>The next state of <c>state * _classes + class</c>, and the literals each state completes.</summary>
    private int[] _delta = [];
    private int[][] _outputs = [];
    private bool _built;

    /// <summary>Adds a literal; <see cref="Find"/> reports it as <paramref name="id"/>.</summary>
    public void Add(string literal, int id)
    {
        _built = false;
        var state = 0;
        foreach (var c in literal)
        {
            if (ClassOf(c) == 0)
            {
                if (c < 128)
                {
                    _asciiClass[c] = _classes++;
                }
                else
                {
                    _otherClass[c] = _classes++;
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

    /// <summary>Builds the transition table for the literals added so far, if not built yet.</summary>
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
        var delta = _delta;
        var width = _classes;
        var state = 0;
        foreach (var c in text)
        {
            state = delta[state * width + ClassOf(c)];
            if (_outputs[state].Length > 0)
            {
                found.AddRange(_outputs[state]);
            }
        }
    }

    private int ClassOf(char c) => c < 128 ? _asciiClass[c] : _otherClass.GetValueOrDefault(c);

    /// <summary>
    /// Failure links breadth-first, folded into the table: a state without a child for a class moves where its failure
    /// state would (already resolved, being shallower); each state's outputs include its failure state's.
    /// </summary>
    private void Build()
    {
        var states = _next.Count;
        var width = _classes;
        var delta = new int[states * width];
        var fail = new int[states];
        var outputs = new List<int>[states];
        outputs[0] = [.. _own[0]];
        var queue = new Queue<int>();
        foreach (var (c, child) in _next[0])
        {
            delta[ClassOf(c)] = child;
            fail[child] = 0;
            outputs[child] = [.. _own[child]];
            queue.Enqueue(child);
        }
        while (queue.TryDequeue(out var state))
        {
            // Transitions this state lacks are its failure state's, already complete.
            Array.Copy(delta, fail[state] * width, delta, state * width, width);
            foreach (var (c, child) in _next[state])
            {
                var cls = ClassOf(c);
                fail[child] = delta[fail[state] * width + cls];
                delta[state * width + cls] = child;
                outputs[child] = [.. _own[child], .. outputs[fail[child]]];
                queue.Enqueue(child);
            }
        }
        _delta = delta;
        _outputs = [.. outputs.Select(o => o.ToArray())];
        _built = true;
    }
}
