using Portal.Data.Tenancy;

namespace Portal.Web.Features.Settings;

/// <summary>
/// The time zone the console shows an organisation's times in (its settings' time zone; UTC unless set), read as each
/// page opens (one read by key), so that a page opened after the setting changed shows the new zone.
/// </summary>
public sealed class OrganisationZone(OrganisationService organisations)
{
    /// <summary>The zone of <paramref name="tenantId"/>.</summary>
    public async Task<TimeZoneInfo> GetAsync(Guid tenantId) => Of((await organisations.GetAsync(tenantId))?.TimeZone);

    /// <summary>The zone an IANA name names; UTC for none or one this machine does not know.</summary>
    public static TimeZoneInfo Of(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
