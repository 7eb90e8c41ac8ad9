using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace Portal.Web.Tests.Infrastructure;

/// <summary>A page beside MudBlazor's popover and dialog providers, as the layout renders it: its dialogs and menus open.</summary>
public sealed class WithDialogs<TPage> : ComponentBase where TPage : IComponent
{
    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudDialogProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<TPage>(2);
        builder.CloseComponent();
    }
}
