using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Portal.Data.Audit;

namespace Portal.Web.Features.Identity;

/// <summary>
/// Interactive pages run their event handlers outside any HTTP request: this sets <see cref="AuditActor.Current"/>
/// around every inbound circuit activity from the circuit's signed-in member, so changes made in pages are attributed.
/// </summary>
public sealed class AuditCircuitHandler(AuthenticationStateProvider authentication, IHttpContextAccessor http) : CircuitHandler
{
    // The address of the connection that opened the circuit: there is no request later on.
    private readonly string? _ip = http.HttpContext?.Connection.RemoteIpAddress?.ToString();

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) => async context =>
    {
        var state = await authentication.GetAuthenticationStateAsync();
        AuditActor.Current = AuditActors.From(state.User, null) is { } actor ? actor with { Ip = _ip } : null;
        await next(context);
    };
}
