using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Detection.Events;

/// <summary>
/// A leaf attribute value: its text as searched (numbers in invariant, shortest round-trip form)
/// and its number when it is numeric.
/// </summary>
/// <remarks>
/// Sixteen bytes: the absence of a number is a NaN no arithmetic makes (<see cref="NoNumberBits"/>), not a flag that would
/// pad the value to 24, for every event holds a dozen or more leaves. A default value has no text and no number, as before.
/// </remarks>
public readonly record struct AttributeValue
{
    /// <summary>A leaf with its text and, when numeric, its number.</summary>
    public AttributeValue(string Text, double? Number)
    {
        this.Text = Text;
        _number = Stored(Number);
    }

    /// <summary>The value as searched.</summary>
    public string Text { get; init; }

    /// <summary>The number, when the value is numeric.</summary>
    public double? Number
    {
        get => _number == 0 ? null : BitConverter.Int64BitsToDouble(_number ^ NoNumberBits);
        init => _number = Stored(value);
    }

    /// <summary>
    /// The number's bits, exclusive-or <see cref="NoNumberBits"/>: zero, as in a default value, for no number.
    /// </summary>
    private readonly long _number;

    /// <summary>
    /// The bits that stand for "no number": a signalling NaN with a payload, which no arithmetic gives (operations give the
    /// quiet NaN) and no JSON holds. A NaN given as a number stays a number: any other keeps its bits, and that one reads
    /// back as the quiet NaN.
    /// </summary>
    private const long NoNumberBits = 0x7FF4_0000_0000_0A11;

    private static long Stored(double? number) => number is { } given
        ? (BitConverter.DoubleToInt64Bits(given) is var bits && bits == NoNumberBits ? BitConverter.DoubleToInt64Bits(double.NaN) : bits) ^ NoNumberBits
        : 0;

    /// <summary>The text and the number, as the positional record this was.</summary>
    public void Deconstruct(out string Text, out double? Number) => (Text, Number) = (this.Text, this.Number);

    /// <summary>The same text and the same number (or none), as the positional record this was compared.</summary>
    public bool Equals(AttributeValue other) => string.Equals(Text, other.Text) && EqualityComparer<double?>.Default.Equals(Number, other.Number);

    public override int GetHashCode() => HashCode.Combine(Text, Number);

    /// <summary>Reads a JSON leaf; objects and arrays have no leaf value.</summary>
    public static AttributeValue? From(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }
        // Every leaf of every event passes here (detection and indexing flatten each event). GetValue<T> and TryGetValue<T>
        // are generic virtual calls, each a runtime lookup: the node types that hold nearly all values (built strings, ints
        // and longs, parsed JSON) are told by their type, so that a string is read without one, through ToString (the
        // string itself for a built one, its decoded text for parsed JSON), and a number with one. Other types keep the
        // former order of calls (a DateTimeOffset value's ToString would be quoted JSON).
        var type = value.GetType();
        var kind = value.GetValueKind();
        if (type == ParsedValue)
        {
            // Parsed JSON holds a JsonElement: read as the element is (one generic call), a string without it.
            return kind == JsonValueKind.String ? new AttributeValue(value.ToString(), null) : From(value.GetValue<JsonElement>());
        }
        switch (kind)
        {
            case JsonValueKind.String:
                return new AttributeValue(type == BuiltString ? value.ToString() : value.GetValue<string>(), null);
            case JsonValueKind.Number:
                // Built nodes hold an int, a long, a double or whatever else was given.
                if (type == BuiltInt)
                {
                    var small = value.GetValue<int>();
                    return new AttributeValue(FormatNumber(small), small);
                }
                if (type == BuiltLong)
                {
                    if (value.TryGetValue<long>(out var whole))
                    {
                        return new AttributeValue(FormatNumber(whole), whole);
                    }
                }
                else if (value.TryGetValue<JsonElement>(out var element) && element.TryGetDouble(out var other) && double.IsFinite(other))
                {
                    return new AttributeValue(FormatNumber(other), other);
                }
                else if (value.TryGetValue<long>(out var integer))
                {
                    return new AttributeValue(FormatNumber(integer), integer);
                }
                else if (value.TryGetValue<int>(out var number32))
                {
                    return new AttributeValue(FormatNumber(number32), number32);
                }
                return FromNumberText(value.ToJsonString());
            default:
                return Literal(kind);
        }
    }

    /// <summary>
    /// Reads a leaf of parsed JSON as <see cref="From(JsonNode?)"/> reads the node made from it: the same text and number,
    /// without the node. Objects, arrays and nulls have no leaf value.
    /// </summary>
    public static AttributeValue? From(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return new AttributeValue(RecurringText.Of(element), null);
            case JsonValueKind.Number:
                if (element.TryGetDouble(out var parsed) && double.IsFinite(parsed))
                {
                    return new AttributeValue(FormatNumber(parsed), parsed);
                }
                if (element.TryGetInt64(out var whole))
                {
                    return new AttributeValue(FormatNumber(whole), whole);
                }
                return FromNumberText(element.GetRawText());
            default:
                return Literal(element.ValueKind);
        }
    }

    /// <summary>
    /// A number no exact reading took (doubles, decimals, numbers too large for a double), from its JSON text, which serves
    /// all: 1e400 overflows to infinity and is kept as the text it was sent as, not as a number.
    /// </summary>
    private static AttributeValue FromNumberText(string json)
    {
        var number = double.Parse(json, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(number) ? new AttributeValue(FormatNumber(number), number) : new AttributeValue(json, null);
    }

    /// <summary>The leaf of a literal: <c>true</c> and <c>false</c> as text; none for null (or an object or array).</summary>
    private static AttributeValue? Literal(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True => new AttributeValue("true", null),
        JsonValueKind.False => new AttributeValue("false", null),
        _ => null,
    };

    /// <summary>
    /// The value on the range axis: the number itself, or epoch milliseconds for an ISO 8601 date text.
    /// Ranges and comparisons (<c>@duration:>100</c>, <c>@created:[2026-01-01 TO *]</c>) test this.
    /// </summary>
    public double? RangeValue => Number ?? (DateText.TryParseEpochMs(Text, out var ms) ? ms : null);

    /// <summary>
    /// The value as a finite number: the JSON number, or numeric text ("42", "1.5e3"). "NaN", "Infinity" and overflowing
    /// exponents are not numbers here, or one crafted log could turn a window's sum or maximum into NaN and silence a rule.
    /// </summary>
    public double? FiniteNumber => Number is { } number && double.IsFinite(number) ? number : ParseFinite(Text);

    /// <summary>A finite number in <paramref name="text"/>, or null (see <see cref="FiniteNumber"/>).</summary>
    public static double? ParseFinite(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : null;

    /// <summary>The canonical text of a number: <c>500</c>, <c>0.25</c>, <c>1E+21</c>.</summary>
    public static string FormatNumber(double number)
    {
        if (number >= 0 && number < SmallIntegers.Length && !double.IsNegative(number) && (int)number == number)
        {
            return FormatNumber((int)number);
        }
        // Other whole numbers below 10^15 ("R" writes those without an exponent) as the integer they are, without
        // formatting the double: the same text. Negative zero keeps its sign through "R".
        if (Math.Abs(number) < 1e15 && Math.Floor(number) == number && !(number == 0 && double.IsNegative(number)))
        {
            return ((long)number).ToString(CultureInfo.InvariantCulture);
        }
        return number.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The texts of the smallest whole numbers (status codes, counts, levels), made once: they recur in event after event.
    /// Larger ones (ports, process ids, byte counts) are spread over too many values for a table to be worth it: one of
    /// 65,536 entries, looked up at random, missed the processor's caches on nearly every port and cost more than the few
    /// bytes of a fresh string.
    /// </summary>
    private static readonly string?[] SmallIntegers = new string?[1024];

    /// <summary><see cref="FormatNumber(double)"/> for a whole number held as one (ports, status codes, process ids): the same text, without the double's checks.</summary>
    public static string FormatNumber(int number) =>
        (uint)number < (uint)SmallIntegers.Length
            ? SmallIntegers[number] ??= number.ToString(CultureInfo.InvariantCulture)
            : number.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// <see cref="FormatNumber(double)"/> of the double nearest <paramref name="number"/>: the integer's own text below 10^15,
    /// where the double holds it exactly and "R" writes no exponent, without the double's checks.
    /// </summary>
    public static string FormatNumber(long number) =>
        number is > -1_000_000_000_000_000 and < 1_000_000_000_000_000
            ? (ulong)number < (ulong)SmallIntegers.Length ? FormatNumber((int)number) : number.ToString(CultureInfo.InvariantCulture)
            : FormatNumber((double)number);

    /// <summary>The node types <see cref="From(JsonNode?)"/> tells apart to spare generic virtual calls.</summary>
    private static readonly Type BuiltString = JsonValue.Create("").GetType();
    private static readonly Type BuiltInt = JsonValue.Create(0).GetType();
    private static readonly Type BuiltLong = JsonValue.Create(0L).GetType();
    private static readonly Type ParsedValue = JsonNode.Parse("0")!.GetType();
}
