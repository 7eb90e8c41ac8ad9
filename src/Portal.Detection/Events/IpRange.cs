using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Portal.Detection.Events;

/// <summary>
/// A network (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>) as an inclusive range of 128-bit addresses, IPv4 being
/// mapped into IPv6 (<c>::ffff:a.b.c.d</c>) so that one ordering serves both families, in memory and in every index.
/// </summary>
public readonly record struct IpRange(UInt128 First, UInt128 Last)
{
    /// <summary>Parses CIDR notation; a bare address is a /32 (or /128) network.</summary>
    public static bool TryParse(string text, out IpRange range)
    {
        range = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IpText.TryParse(addressText, out var address))
        {
            return false;
        }
        var width = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = width;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > width))
        {
            return false;
        }
        var mappedPrefix = prefix + (128 - width);
        var hostMask = mappedPrefix == 0 ? UInt128.MaxValue : (UInt128.One << (128 - mappedPrefix)) - 1;
        var first = IpText.ToUInt128(address) & ~hostMask;
        range = new IpRange(first, first | hostMask);
        return true;
    }

    private static readonly UInt128 MappedIPv4 = (UInt128)0xFFFF << 32;

    /// <summary>True when the address lies within the network.</summary>
    public bool Contains(UInt128 address) => address >= First && address <= Last;

    /// <summary>CIDR notation (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>), as Elasticsearch's ip fields accept it.</summary>
    public override string ToString()
    {
        var span = Last - First;
        var prefix = span == UInt128.MaxValue ? 0 : 128 - (int)UInt128.Log2(span + 1);
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, First);
        var address = new IPAddress(bytes);
        return First >> 32 == MappedIPv4 >> 32 && prefix >= 96
            ? $"{address.MapToIPv4()}/{prefix - 96}"
            : $"{address}/{prefix}";
    }
}

/// <summary>Strict recognition of IP address text (dotted quads and IPv6), as attribute values are typed.</summary>
public static class IpText
{
    /// <summary>
    /// Parses an address only when the text is written as one: <see cref="IPAddress.TryParse(string, out IPAddress)"/>
    /// alone would read <c>"1"</c> or <c>"0x10"</c> as IPv4.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length is < 2 or > 45 || !LooksLikeAddress(text))
        {
            return false;
        }
        if (!IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }
        address = parsed;
        return true;
    }

    /// <summary>The address as a 128-bit number (IPv4 mapped into IPv6), the order of <see cref="IpRange"/>.</summary>
    public static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        (address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address).TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>A fixed-width key whose ordinal order is the address order (32 hex digits), for term-range indexes.</summary>
    public static string SortKey(UInt128 address) => address.ToString("x32", CultureInfo.InvariantCulture);

    private static bool LooksLikeAddress(ReadOnlySpan<char> text)
    {
        if (text.Contains(':'))
        {
            // IPv6: hex digits, colons, and an optional embedded dotted quad; no zone or brackets.
            foreach (var c in text)
            {
                if (!char.IsAsciiHexDigit(c) && c is not ':' and not '.')
                {
                    return false;
                }
            }
            return true;
        }
        var dots = 0;
        var digits = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                if (digits == 0)
                {
                    return false;
                }
                dots++;
                digits = 0;
            }
            else if (char.IsAsciiDigit(c) && ++digits <= 3)
            {
                if (digits == 2 && text[i - 1] == '0')
                {
                    // "010" is octal to IPAddress.TryParse; in logs it is a typo or not an address at all.
                    return false;
                }
                continue;
            }
            else
            {
                return false;
            }
        }
        return dots == 3 && digits > 0;
    }
}
