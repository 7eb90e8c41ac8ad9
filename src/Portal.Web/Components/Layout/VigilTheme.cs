using MudBlazor;

namespace Portal.Web.Components.Layout;

/// <summary>Vigil's calm, dense console palette for light and dark modes.</summary>
public static class VigilTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4f46e5",
            Secondary = "#0ea5e9",
            AppbarBackground = "#111827",
            AppbarText = "#f9fafb",
            Background = "#f6f7f9",
            Surface = "#ffffff",
            DrawerBackground = "#ffffff",
            DrawerText = "#374151",
            TextPrimary = "#111827",
            TextSecondary = "#6b7280",
            LinesDefault = "#e5e7eb",
            TableLines = "#eef0f3",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#818cf8",
            Secondary = "#38bdf8",
            AppbarBackground = "#0b0f17",
            Background = "#0f141c",
            Surface = "#161c26",
            DrawerBackground = "#121821",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["Inter", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"], FontSize = ".875rem" },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "6px", AppbarHeight = "52px" },
    };
}
