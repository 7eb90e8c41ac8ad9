using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Audit;
using Portal.Data.Identity;
using Portal.Data.Tenancy;
using Portal.Web.Features.Identity;
using Portal.Web.Tests.Infrastructure;

namespace Portal.Web.Tests.Features.Identity;

/// <summary>
/// Browser-like clients for the sign-in tests, each from its own loopback address (127.x.y.z), so that the per-address
/// sign-in limit of one test does not reach the other tests, which all come from 127.0.0.1.
/// </summary>
internal static class SignInClient
{
    /// <summary>A client with a cookie jar whose connections come from a fresh loopback address.</summary>
    public static HttpClient Create(PortalFixture portal, out string ip)
    {
        var address = new IPAddress([127, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(0, 256), (byte)Random.Shared.Next(1, 255)]);
        ip = address.ToString();
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(address, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = portal.BaseAddress };
    }

    /// <summary>Posts the password form; returns the response (302 on success or to the second step).</summary>
    public static Task<HttpResponseMessage> PasswordAsync(HttpClient client, string slug, string email, string password) =>
        Forms.SignInAsync(client, slug, email, password);

    /// <summary>Posts the second-step form (authenticator code or recovery code) for the organisation <paramref name="org"/>.</summary>
    public static Task<HttpResponseMessage> SecondStepAsync(HttpClient client, string org, string code, bool recoveryCode = false) =>
        Forms.SubmitAsync(client, $"account/signin/mfa?org={Uri.EscapeDataString(org)}", recoveryCode ? "mfa-recovery" : "mfa",
            new Dictionary<string, string> { [recoveryCode ? "Recovery.Code" : "Input.Code"] = code });

    /// <summary>The session of the organisation's member, as the security page would have it.</summary>
    public static async Task<SessionInfo> SessionOfAsync(PortalFixture portal, TestTenant tenant, string? email = null)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Set(tenant.Id);
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<VigilUser>>().FindByNameAsync(email ?? tenant.Email);
        Assert.NotNull(user);
        return new SessionInfo(tenant.Id, tenant.Slug, tenant.Slug, user.Id, user.UserName!, user.Role);
    }

    /// <summary>Turns on the authenticator for the member through the security service, as the page does; returns the key.</summary>
    public static async Task<string> EnableAuthenticatorAsync(PortalFixture portal, SessionInfo session, string password = TestTenant.Password)
    {
        var security = portal.Services.GetRequiredService<AccountSecurity>();
        var setup = await security.BeginAuthenticatorAsync(session);
        Assert.NotNull(setup);
        var key = setup.SharedKey.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        var change = await security.EnableAuthenticatorAsync(session, Totp.Code(key), password);
        Assert.True(change.Succeeded, change.Error);
        return key;
    }

    /// <summary>The organisation's audit entries of the last minutes whose action starts with <paramref name="prefix"/>, newest first.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> AuditAsync(PortalFixture portal, Guid tenantId, string prefix = "signin.")
    {
        var page = await portal.Services.GetRequiredService<AuditLog>()
            .ReadAsync(tenantId, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(1), e => e.Action.StartsWith(prefix, StringComparison.Ordinal), 500, null);
        return page.Entries;
    }
}

/// <summary>RFC 6238 time-based one-time passwords (HMAC-SHA1, 30-second steps, 6 digits), as authenticator apps compute them.</summary>
internal static class Totp
{
    public static string Code(string base32Key, DateTimeOffset? at = null)
    {
        var step = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds() / 30;
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
#pragma warning disable CA5350 // RFC 6238 authenticator codes are HMAC-SHA1 by definition; this mirrors what the apps compute.
        var hash = HMACSHA1.HashData(Base32(base32Key), counter);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text.TrimEnd('='))
        {
            buffer = (buffer << 5) | Alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. bytes];
    }
}
