using System.Globalization;

namespace Portal.Detection.Demo;

/// <summary>
/// Seeded randomness with the helpers the demo streams share. Addresses come from the
/// documentation ranges (RFC 5737) and private ranges, so demo data never names a real host.
/// </summary>
internal sealed class DemoRandom(int seed)
{
    private const string Base32Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string Base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private readonly Random _random = new(seed);

    public int Int(int minInclusive, int maxExclusive) => _random.Next(minInclusive, maxExclusive);

    public double Double() => _random.NextDouble();

    public bool Chance(double probability) => _random.NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>Picks by weight: <paramref name="items"/> pairs a value with its relative frequency.</summary>
    public T Weighted<T>(IReadOnlyList<(T Value, int Weight)> items)
    {
        var roll = _random.Next(items.Sum(i => i.Weight));
        foreach (var (value, weight) in items)
        {
            if (roll < weight)
            {
                return value;
            }
            roll -= weight;
        }
        return items[^1].Value;
    }

    /// <summary>An attacker on the internet (TEST-NET-3, 203.0.113.0/24).</summary>
    public string AttackerIp() => $"203.0.113.{_random.Next(2, 255)}";

    /// <summary>A customer or a background internet host (TEST-NET-1 and TEST-NET-2).</summary>
    public string InternetIp() => (_random.Next(2) == 0 ? "198.51.100." : "192.0.2.") + _random.Next(2, 255);

    /// <summary>An address inside the company network.</summary>
    public string InternalIp() => $"10.0.{_random.Next(1, 4)}.{_random.Next(10, 250)}";

    /// <summary>An ephemeral client port.</summary>
    public int Port() => _random.Next(32768, 61000);

    public Guid Guid()
    {
        var bytes = new byte[16];
        _random.NextBytes(bytes);
        // Version 4, RFC 4122 variant, like the ids AWS prints.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    public string Hex(int length)
    {
        var bytes = new byte[(length + 1) / 2];
        _random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes)[..length];
    }

    /// <summary>Upper-case letters and digits, as in AWS access key ids.</summary>
    public string Upper(int length) => new([.. Enumerable.Range(0, length).Select(_ => Base32Chars[_random.Next(Base32Chars.Length)])]);

    /// <summary>An OpenSSH key fingerprint: SHA256 and 43 unpadded base64 characters.</summary>
    public string Fingerprint() => "SHA256:" + new string([.. Enumerable.Range(0, 43).Select(_ => Base64Chars[_random.Next(Base64Chars.Length)])]);

    public string Number(int minInclusive, int maxExclusive) => Int(minInclusive, maxExclusive).ToString(CultureInfo.InvariantCulture);
}
