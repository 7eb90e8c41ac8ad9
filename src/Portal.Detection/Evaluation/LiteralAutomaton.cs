namespace Portal.Detection.Evaluation;

/// <summary>
/// Aho-Corasick: finds which of many literals occur in a text in one pass over the text, whatever the number of
/// literals. Built once for a set of rules; <see cref="Find"/> is safe to call from one thread at a time.
/// </summary>
internal sealed class LiteralAutomaton
{
    private readonly List<Dictionary<char, int>> _next = [new()];
    private readonly List<int> _fail = [0];
    private readonly List<List<int>> _own = [[]];
    private List<int>[] _outputs = [];
    private bool _built;

    /// <summary>Adds a literal; <see cref="Find"/> reports it as <paramref name="id"/>.</summary>
    public void Add(string literal, int id)
    {
        _built = false;
        var state = 0;
        foreach (var c in literal)
        {
            if (!_next[state].TryGetValue(c, out var next))
            {
                next = _next.Count;
                _next.Add([]);
                _fail.Add(0);
                _own.Add([]);
                _next[state][c] = next;
            }
            state = next;
        }
        _own[state].Add(id);
    }

    /// <summary>Calls <paramref name="found"/> with the id of every literal occurring in <paramref name="text"/> (repeats possible).</summary>
    public void Find(ReadOnlySpan<char> text, List<int> found)
    {
        if (!_built)
        {
            Build();
        }
        var state = 0;
        foreach (var c in text)
        {
            int next;
            while (!_next[state].TryGetValue(c, out next) && state != 0)
            {
                state = _fail[state];
            }
            state = _next[state].TryGetValue(c, out next) ? next : 0;
            if (_outputs[state].Count > 0)
            {
                found.AddRange(_outputs[state]);
            }
        }
    }

    /// <summary>Failure links breadth-first; each state's outputs include those of its failure state.</summary>
    private void Build()
    {
        _outputs = _own.Select(o => new List<int>(o)).ToArray();
        var queue = new Queue<int>();
        foreach (var child in _next[0].Values)
        {
            _fail[child] = 0;
            queue.Enqueue(child);
        }
        while (queue.TryDequeue(out var state))
        {
            foreach (var (c, child) in _next[state])
            {
                var fail = _fail[state];
                int target;
                while (!_next[fail].TryGetValue(c, out target) && fail != 0)
                {
                    fail = _fail[fail];
                }
                _fail[child] = _next[fail].TryGetValue(c, out target) && target != child ? target : 0;
                _outputs[child].AddRange(_outputs[_fail[child]]);
                queue.Enqueue(child);
            }
        }
        _built = true;
    }
}
