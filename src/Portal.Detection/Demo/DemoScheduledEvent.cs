using System.Text.Json.Nodes;

namespace Portal.Detection.Demo;

/// <summary>An attack event due at <see cref="At"/> on the generator's clock, built once its wall time is known.</summary>
internal sealed record DemoScheduledEvent(TimeSpan At, Func<DateTimeOffset, JsonObject> Build);
