using Portal.Web.Components.Layout;

namespace Portal.Web.Tests.Components.Layout;

/// <summary>
/// The console preferences' cookie, as the server reads it (the browser writes it, a word a choice: keys.js, keepConsole):
/// each choice's word, in any order, and a value the browser mangled reads as the defaults.
/// </summary>
public sealed class ConsolePreferencesTests
{
    [Theory]
    [InlineData("default", false, false, false)]
    [InlineData("dark", true, false, false)]
    [InlineData("collapsed", false, true, false)]
    [InlineData("nofacets", false, false, true)]
    [InlineData("dark.collapsed.nofacets", true, true, true)]
    [InlineData("nofacets.dark", true, false, true)]
    public void EachChoicesWord_IsRead(string cookie, bool dark, bool collapsed, bool facetsHidden)
    {
        var read = ConsolePreferences.Read(cookie);
        Assert.Equal((dark, collapsed, facetsHidden), (read.Dark, read.NavigationCollapsed, read.FacetsHidden));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("darker.facets")]
    public void AnythingElse_ReadsAsTheDefaults(string? cookie)
    {
        var read = ConsolePreferences.Read(cookie);
        Assert.Equal((false, false, false), (read.Dark, read.NavigationCollapsed, read.FacetsHidden));
    }
}
