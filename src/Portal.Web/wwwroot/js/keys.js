// Keys the console handles itself, whose browser default would act as well: the arrows that move through a query's
// completions (not the caret to the line's start or end), the keys that move between a histogram's bars and the arrows
// that move the log detail through the list (not the page's or the drawer's scroll).
// Focus for the console's components: the list's row of a log, by its id, when its detail closes.
window.vigil = {
    focusLogRow: id => document.querySelector(`button.log-open[data-log-id="${CSS.escape(id)}"]`)?.focus(),
};

document.addEventListener("keydown", e => {
    const target = e.target;
    if (!(target instanceof Element) || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) {
        return;
    }
    const vertical = e.key === "ArrowUp" || e.key === "ArrowDown";
    if ((vertical && target.matches('input[role="combobox"][aria-expanded="true"]'))
        || (["Home", "End", "ArrowLeft", "ArrowRight"].includes(e.key) && target.matches(".histogram-zoom .histogram-bar.has-matches"))
        || (vertical && target.id === "log-detail")) {
        e.preventDefault();
    }
});
