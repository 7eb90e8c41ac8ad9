using System.Text.Json;

namespace Portal.Benchmarks;

/// <summary>One measured figure and the comparison measured in the same run.</summary>
internal sealed record Figure(string Name, double Value, string Unit, double Baseline)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public void Print() => Console.WriteLine(JsonSerializer.Serialize(new { name = Name, value = Math.Round(Value, 1), unit = Unit, baseline = Math.Round(Baseline, 1) }, Json));
}
