using System.Runtime.InteropServices;
using System.Text;
using global::Lucene.Net.Documents;
using global::Lucene.Net.Util;
using Portal.Detection.Events;

namespace Portal.Search.Lucene;

/// <summary>Maps a <see cref="LogEvent"/> to the Lucene document every query translation relies on.</summary>
/// <remarks>
/// Each thread reuses its field instances from one document to the next, as Lucene advises for bulk indexing: a new
/// field costs a new token stream with its attribute maps, and an event has some thirty fields. A document is therefore
/// valid only until the next <see cref="Build"/> on the same thread: the caller indexes it at once.
/// </remarks>
internal static class EventDocument
{
    private static readonly FieldType NumberType = Frozen(new FieldType(DoubleField.TYPE_NOT_STORED) { NumericPrecisionStep = LuceneFields.NumericPrecisionStep });

    /// <summary>The message's words, with positions for phrases and no norms: hits are ordered by time, never scored by length.</summary>
    private static readonly FieldType TextType = Frozen(new FieldType(TextField.TYPE_NOT_STORED) { OmitNorms = true });

    [ThreadStatic]
    private static Fields? t_fields;

    /// <summary>
    /// Builds the document; <paramref name="source"/> (UTF-8 JSON) is what searches return. Attributes whose path
    /// <paramref name="attributes"/> does not admit get no fields of their own: their values go to the one field of
    /// <see cref="LuceneFields.OverflowAttributes"/>. With <paramref name="keyed"/>, the id is indexed as a term, so that
    /// the document can be replaced (<see cref="LuceneFields.Id"/>).
    /// </summary>
    public static Document Build(LogEvent e, ReadOnlyMemory<byte> source, AttributeFields attributes, bool keyed)
    {
        var fields = t_fields ??= new Fields();
        fields.Reset();
        var timestamp = e.Timestamp.ToUnixTimeMilliseconds();
        fields.TieBreak.SetInt64Value(TieBreak.Of(e.Id));
        fields.Timestamp.SetInt64Value(timestamp);
        var stored = MemoryMarshal.TryGetArray(source, out var segment) ? segment : new ArraySegment<byte>(source.ToArray());
        (fields.SourceBytes.Bytes, fields.SourceBytes.Offset, fields.SourceBytes.Length) = (stored.Array!, stored.Offset, stored.Count);
        fields.Source.SetBytesValue(fields.SourceBytes);
        fields.Words.SetText(e.Message);
        var doc = new Document { fields.TieBreak, fields.Timestamp, fields.Source, fields.Text };
        if (keyed)
        {
            fields.Id.SetStringValue(e.Id);
            doc.Add(fields.Id);
        }
        foreach (var name in ReservedAttributes.Facets)
        {
            if (e.GetReserved(name) is { } value)
            {
                var fitted = IndexedValues.Fit(value);
                doc.Add(fields.String(name, fitted));
                var facet = fields.Facet(name);
                facet.SetBytesValue(new BytesRef(fitted));
                doc.Add(facet);
            }
        }
        foreach (var tag in e.Tags)
        {
            doc.Add(fields.String(LuceneFields.Tags, IndexedValues.Fit(tag)));
        }
        foreach (var (path, value) in e.Leaves)
        {
            if (!attributes.Admits(path))
            {
                // A path holding U+0000 would be ambiguous there: it is left out.
                if (!path.Contains('\0', StringComparison.Ordinal))
                {
                    doc.Add(fields.String(LuceneFields.OverflowAttributes, OverflowTerm(path, value.Text)));
                }
                continue;
            }
            doc.Add(fields.String(fields.AttributeName(path), IndexedValues.Fit(value.Text)));
            if (value.RangeValue is { } number)
            {
                // Lucene orders -0 below +0; QueryMatcher compares them as equal.
                doc.Add(fields.Number(fields.NumericName(path), number + 0d));
            }
            else if (IpText.TryParse(value.Text, out var ip))
            {
                doc.Add(fields.String(fields.IpName(path), IpText.SortKey(IpText.ToUInt128(ip))));
            }
        }
        return doc;
    }

    /// <summary>
    /// The shared field's term of a value: cut as the value's own field would cut it (<see cref="IndexedValues.Fit"/>), and
    /// further only when the path makes the whole longer than a term may be.
    /// </summary>
    private static string OverflowTerm(string path, string value)
    {
        var term = LuceneFields.Overflowing(path, IndexedValues.Fit(value));
        return term.Length > IndexedValues.MaxChars && System.Text.Encoding.UTF8.GetByteCount(term) > IndexedValues.MaxChars * 3 ? IndexedValues.Fit(term) : term;
    }

    /// <summary>
    /// Lets go of the last document's stored source once it is indexed (the writer has copied it), so that a thread's
    /// reused fields do not keep the buffer of a batch, perhaps another tenant's, alive until its next document.
    /// </summary>
    public static void Release()
    {
        if (t_fields is { } fields)
        {
            fields.SourceBytes.Bytes = BytesRef.EMPTY_BYTES;
            (fields.SourceBytes.Offset, fields.SourceBytes.Length) = (0, 0);
        }
    }

    /// <summary>The stored source of a document read back (UTF-8 in segments written since it is kept so, a string before), or null.</summary>
    public static string? SourceOf(Document doc) => doc.GetField(LuceneFields.Source) switch
    {
        null => null,
        var field when field.GetBinaryValue() is { } bytes => Encoding.UTF8.GetString(bytes.Bytes, bytes.Offset, bytes.Length),
        var field => field.GetStringValue(),
    };

    /// <summary>The stored source of a document read back, as UTF-8, or empty when it has none.</summary>
    public static ReadOnlySpan<byte> SourceBytesOf(Document doc) => doc.GetField(LuceneFields.Source) switch
    {
        null => [],
        var field when field.GetBinaryValue() is { } bytes => bytes.Bytes.AsSpan(bytes.Offset, bytes.Length),
        var field => Encoding.UTF8.GetBytes(field.GetStringValue() ?? ""),
    };

    private static FieldType Frozen(FieldType type)
    {
        type.Freeze();
        return type;
    }

    /// <summary>
    /// One thread's field instances, by field name; a name used twice in a document (an array's values) takes a second
    /// instance. Bounded: a thread that meets too many distinct names starts over.
    /// </summary>
    private sealed class Fields
    {
        private const int MaxNames = 8_192;

        private readonly Dictionary<string, Pool<StringField>> _strings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Pool<DoubleField>> _numbers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SortedDocValuesField> _facets = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (string Attribute, string Numeric, string Ip)> _names = new(StringComparer.Ordinal);
        private readonly List<IPool> _used = [];

        public StringField Id { get; } = new(LuceneFields.Id, "", Field.Store.NO);

        public NumericDocValuesField TieBreak { get; } = new(LuceneFields.TieBreak, 0);

        public NumericDocValuesField Timestamp { get; } = new(LuceneFields.Timestamp, 0);

        public BytesRef SourceBytes { get; } = new();

        public StoredField Source { get; } = new(LuceneFields.Source, new BytesRef());

        public WordTokenStream Words { get; } = new();

        public Field Text { get; }

        public Fields() => Text = new Field(LuceneFields.Text, Words, TextType);

        /// <summary>Makes every instance available again, for the next document.</summary>
        public void Reset()
        {
            foreach (var pool in _used)
            {
                pool.Reset();
            }
            _used.Clear();
            if (_strings.Count + _numbers.Count + _names.Count > MaxNames)
            {
                _strings.Clear();
                _numbers.Clear();
                _names.Clear();
            }
        }

        public string AttributeName(string path) => Names(path).Attribute;

        public string NumericName(string path) => Names(path).Numeric;

        public string IpName(string path) => Names(path).Ip;

        public StringField String(string name, string value)
        {
            var field = Take(_strings, name, n => new StringField(n, "", Field.Store.NO));
            field.SetStringValue(value);
            return field;
        }

        public DoubleField Number(string name, double value)
        {
            var field = Take(_numbers, name, n => new DoubleField(n, 0d, NumberType));
            field.SetDoubleValue(value);
            return field;
        }

        public SortedDocValuesField Facet(string name)
        {
            if (!_facets.TryGetValue(name, out var field))
            {
                _facets[name] = field = new SortedDocValuesField(LuceneFields.Facet(name), new BytesRef());
            }
            return field;
        }

        private (string Attribute, string Numeric, string Ip) Names(string path)
        {
            if (!_names.TryGetValue(path, out var names))
            {
                _names[path] = names = (LuceneFields.Attribute(path), LuceneFields.Numeric(path), LuceneFields.Ip(path));
            }
            return names;
        }

        private T Take<T>(Dictionary<string, Pool<T>> pools, string name, Func<string, T> create) where T : Field
        {
            if (!pools.TryGetValue(name, out var pool))
            {
                pools[name] = pool = new Pool<T>();
            }
            if (pool.InUse == 0)
            {
                _used.Add(pool);
            }
            return pool.Take(name, create);
        }
    }

    private interface IPool
    {
        void Reset();
    }

    private sealed class Pool<T> : IPool where T : Field
    {
        private readonly List<T> _fields = [];

        public int InUse { get; private set; }

        public T Take(string name, Func<string, T> create)
        {
            if (InUse == _fields.Count)
            {
                _fields.Add(create(name));
            }
            return _fields[InUse++];
        }

        public void Reset()
        {
            if (_fields.Count > MaxKept)
            {
                // A huge array once must not keep its fields, and their values, for the thread's lifetime.
                _fields.RemoveRange(MaxKept, _fields.Count - MaxKept);
            }
            InUse = 0;
        }

        private const int MaxKept = 64;
    }
}
