using Microsoft.JSInterop;
using MudBlazor;

namespace Portal.Web.Components.Shared;

/// <summary>Puts text on the browser's clipboard (a link to share, a log as JSON), and says whether it went.</summary>
public static class Clipboard
{
    /// <summary>
    /// Puts the <paramref name="text"/> made on the clipboard (keys.js' <c>vigil.copyText</c>) and says
    /// <paramref name="copied"/>, or why nothing was copied: a fault is said, never thrown at the page.
    /// </summary>
    public static async Task CopyAsync(IJSRuntime js, ISnackbar snackbar, Func<string> text, string copied)
    {
        string made;
        try
        {
            made = text();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException)
        {
            snackbar.Add($"Nothing was copied: {e.Message}", Severity.Warning);
            return;
        }
        try
        {
            if (await js.InvokeAsync<bool>("vigil.copyText", made))
            {
                snackbar.Add(copied, Severity.Success);
                return;
            }
        }
        catch (JSDisconnectedException)
        {
            return;
        }
        catch (Exception e) when (e is JSException or TaskCanceledException)
        {
            // Reported below, as a refusal (a clipboard prompt left open past the call's time).
        }
        snackbar.Add("Nothing was copied: the browser refused the clipboard.", Severity.Warning);
    }
}
