using System.Runtime.CompilerServices;
using Bunit;

namespace Portal.Web.Tests;

/// <summary>Settings every component test shares.</summary>
internal static class BunitDefaults
{
    /// <summary>
    /// bUnit waits one second by default for a condition to hold. On a loaded CI machine the renderer's dispatcher may
    /// not even get to check it in that time (a run failed so, its condition never checked); ten seconds only bounds how
    /// long a real failure takes to show.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
}
