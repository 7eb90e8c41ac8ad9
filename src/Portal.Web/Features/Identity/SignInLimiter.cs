using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Portal.Web.Features.Identity;

/// <summary>Sign-in attempt limits, under <c>Vigil:SignIn</c>.</summary>
public sealed class SignInLimitOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Vigil:SignIn";

    /// <summary>Failed attempts (password, authenticator code, recovery code, passkey) from one client address per minute; default 20.</summary>
    public int PerIpPerMinute { get; set; } = 20;

    /// <summary>Attempts on one account (organisation and email) per minute; default 10.</summary>
    public int PerAccountPerMinute { get; set; } = 10;
}

/// <summary>Which limit refused an attempt.</summary>
public enum SignInLimit
{
    None,
    ClientAddress,
    Account,
}

/// <summary>
/// Sliding one-minute windows of sign-in attempts per account and of failed attempts per client address. Both are
/// checked before any password or code is, so a guessing run costs the attacker time even where lockout does not
/// reach (unknown emails, many accounts from one address). Only failures count per address, so that many people
/// signing in from one office (one NAT address) are not held up by their own successful sign-ins.
/// In memory: each portal instance counts its own attempts. Behind a reverse proxy the client address is the
/// proxy's unless forwarded headers are configured.
/// </summary>
public sealed class SignInLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perIp;
    private readonly PartitionedRateLimiter<string> _perAccount;

    public SignInLimiter(IOptions<SignInLimitOptions> options)
    {
        var limits = options.Value;
        _perIp = Create(limits.PerIpPerMinute);
        _perAccount = Create(limits.PerAccountPerMinute);
    }

    /// <summary>
    /// Checks that the address has failures left in its window and takes one attempt from the account's window, when
    /// the account is known; says which limit refused.
    /// </summary>
    public SignInLimit TryAcquire(string? ip, string? account)
    {
        using var byIp = _perIp.AttemptAcquire(ip ?? "unknown", permitCount: 0);
        if (!byIp.IsAcquired)
        {
            return SignInLimit.ClientAddress;
        }
        if (account is null)
        {
            return SignInLimit.None;
        }
        using var byAccount = _perAccount.AttemptAcquire(KeyOf(account));
        return byAccount.IsAcquired ? SignInLimit.None : SignInLimit.Account;
    }

    /// <summary>Takes one attempt from the window of <paramref name="account"/> only; false when it is used up.</summary>
    public bool TryAcquireAccount(string account)
    {
        using var lease = _perAccount.AttemptAcquire(KeyOf(account));
        return lease.IsAcquired;
    }

    /// <summary>
    /// An account's key as Identity looks an address up (composed, invariant case): every spelling of one account shares
    /// its window. Callers trim the parts they join.
    /// </summary>
    private static string KeyOf(string account) => account.Normalize().ToUpperInvariant();

    /// <summary>Counts a failed attempt against the address.</summary>
    public void RecordFailure(string? ip)
    {
        _perIp.AttemptAcquire(ip ?? "unknown").Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _perIp.Dispose();
        _perAccount.Dispose();
    }

    private static PartitionedRateLimiter<string> Create(int perMinute) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, perMinute),
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
            // The partitioned limiter replenishes its partitions on one timer; a timer per partition would not scale.
            AutoReplenishment = false,
        }));
}
