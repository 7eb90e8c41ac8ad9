using Portal.Data.Tenancy;

namespace Portal.Web.Features.Settings;

/// <summary>
/// The time zone the console shows an organisation's times in (its settings' time zone; UTC unless set), read once per
/// circuit: a page opened after the setting changed shows the new zone.
/// </summary>
public sealed class OrganisationZone(OrganisationService organisations)
{
    private (Guid Tenant, TimeZoneInfo Zone)? _read;

    /// <summary>The zone of <paramref name="tenantId"/>.</summary>
    public async Task<TimeZoneInfo> GetAsync(Guid tenantId)
    {
        if (_read is { } read && read.Tenant == tenantId)
        {
            return read.Zone;
        }
        var zone = Of((await organisations.GetAsync(tenantId))?.TimeZone);
        _read = (tenantId, zone);
        return zone;
    }

    /// <summary>The zone an IANA name names; UTC for none or one this machine does not know.</summary>
    public static TimeZoneInfo Of(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
