using Portal.Data;

namespace Portal.Web.Features.Demo;

/// <summary>Demo mode (<c>Vigil:Demo:Enabled</c>): a seeded organisation fed by a realistic log generator.</summary>
public static class DemoSetup
{
    public static void AddDemo(this WebApplicationBuilder builder)
    {
        if (VigilOptions.From(builder.Configuration).Demo.Enabled)
        {
            builder.Services.AddHostedService<DemoService>();
        }
    }
}
