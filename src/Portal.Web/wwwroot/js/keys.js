// Keys the console handles itself, whose browser default would act as well: the arrows that move through a query's
// completions (not the caret to the line's start or end), the keys that move between a histogram's bars and the arrows
// that move the log detail through the list (not the page's or the drawer's scroll).
// Focus for the console's components: the list's button that opened a log, signal or rule (by its id) when its drawer
// closes (the list's first when that one is no longer listed, so that the focus stays in the list); and the log list's
// next page, asked for as it is scrolled.
window.vigil = {
    // With lost, only when the focus was lost meanwhile (on the page's body, or in an element made inert): not taken from
    // where the user has put it since. With index, the row's place in a virtualised list, which draws only the rows near
    // its scroll: a row not drawn is scrolled to, and focused once drawn (the first row's button if it never is).
    focusOpener: (attribute, id, lost, index) => {
        const active = document.activeElement;
        if (lost && active && active !== document.body && !active.closest("[inert]")) {
            return;
        }
        const find = () => document.querySelector(`button[${attribute}="${CSS.escape(id)}"]`);
        const shown = find();
        const first = document.querySelector(`button[${attribute}]`);
        const list = first?.closest(".mud-table-container");
        if (shown || !list || !(index >= 0)) {
            (shown ?? first)?.focus();
            return;
        }
        list.scrollTop = Math.max(0, index * first.closest("tr").offsetHeight - list.clientHeight / 2);
        const until = performance.now() + 2000;
        const attempt = () => {
            const drawn = find();
            if (drawn) {
                drawn.focus();
            } else if (performance.now() < until) {
                requestAnimationFrame(attempt);
            } else {
                document.querySelector(`button[${attribute}]`)?.focus();
            }
        };
        requestAnimationFrame(attempt);
    },
    // A select-all box's third state (some of the rows checked, not all): a property of the element, which markup cannot set.
    indeterminate: (box, on) => {
        if (box) {
            box.indeterminate = on;
        }
    },
    // Gives the focus to an element just shown (the log detail as its drawer slides in): now, and again at the next frames
    // while it is elsewhere (an element still hidden cannot take it), for half a second at most.
    focusSoon: element => {
        const until = performance.now() + 500;
        const attempt = () => {
            if (!element?.isConnected || element.closest("[inert]") || element.contains(document.activeElement)) {
                return;
            }
            element.focus({ preventScroll: true });
            if (!element.contains(document.activeElement) && performance.now() < until) {
                requestAnimationFrame(attempt);
            }
        };
        attempt();
    },
    // Text put on the clipboard (a log's link or JSON): the Clipboard API, else, where it is refused (a page served over
    // plain HTTP to another machine), a selected text area copied. True when it was copied.
    copyText: async text => {
        try {
            await navigator.clipboard.writeText(text);
            return true;
        } catch {
            const focused = document.activeElement;
            const area = document.createElement("textarea");
            area.value = text;
            area.setAttribute("readonly", "");
            area.style.position = "fixed";
            area.style.opacity = "0";
            document.body.appendChild(area);
            area.select();
            try {
                return document.execCommand("copy");
            } catch {
                return false;
            } finally {
                area.remove();
                focused?.focus?.({ preventScroll: true });
            }
        }
    },
    // The recent searches of an explorer, kept in this browser (localStorage) under a key naming the organisation and the
    // member: the newest first, each once, at most `max` (read: ten), none longer than 1,000 characters, so that what goes
    // back to the server stays small whatever the storage holds. Storage refused (private mode, full) keeps nothing and fails nothing.
    recentQueries: {
        longest: 1000,
        read: (key, max = 10) => {
            try {
                const list = JSON.parse(localStorage.getItem(key) ?? "[]");
                return Array.isArray(list) ? list.filter(q => typeof q === "string" && q.length <= window.vigil.recentQueries.longest).slice(0, max) : [];
            } catch {
                return [];
            }
        },
        add: (key, query, max) => {
            const kept = window.vigil.recentQueries.read(key, max);
            if (typeof query !== "string" || query.length > window.vigil.recentQueries.longest) {
                return kept;
            }
            const list = [query, ...kept.filter(q => q !== query)].slice(0, max);
            try {
                localStorage.setItem(key, JSON.stringify(list));
            } catch {
                // Not kept: the list still answers for this page.
            }
            return list;
        },
        // Forgets every member's recent searches kept in this browser: signing out leaves none behind (a shared machine).
        clear: () => {
            try {
                Object.keys(localStorage).filter(k => k.startsWith("vigil.logs.recent.")).forEach(k => localStorage.removeItem(k));
            } catch {
                // Storage refused: nothing was kept.
            }
        },
    },
    // How this browser shows the console (its theme, its navigation, the explorers' facets), kept for the pages it loads
    // next: a cookie of words joined by dots, which the server reads to draw them that way from their first paint. One
    // choice's word is set or cleared as the cookie has it now, so that another tab's choice made meanwhile stays.
    keepConsole: (name, word, on, maxAge) => {
        const kept = document.cookie.split("; ").find(c => c.startsWith(`${name}=`));
        const words = new Set(kept ? decodeURIComponent(kept.slice(name.length + 1)).split(".").filter(w => w && w !== "default") : []);
        if (on) {
            words.add(word);
        } else {
            words.delete(word);
        }
        const value = [...words].join(".") || "default";
        document.cookie = `${name}=${encodeURIComponent(value)}; path=/; max-age=${maxAge}; SameSite=Lax${location.protocol === "https:" ? "; Secure" : ""}`;
    },
    // Asks the list for its next page when its scrolling container nears its end (within a screenful of rows), one
    // request at a time: Datadog's list loads as it is scrolled. The list's own button stays for the keyboard.
    // The list says whether it has a next page (data-more), so that scrolling a list read to its end asks nothing.
    loadOnScroll: (id, list) => {
        const table = document.getElementById(id);
        const container = table?.querySelector(".mud-table-container");
        if (!container || container.dataset.loadOnScroll) {
            return;
        }
        container.dataset.loadOnScroll = "true";
        let asking = false;
        const ask = async () => {
            if (asking || table.dataset.more !== "true" || container.scrollTop + 2 * container.clientHeight < container.scrollHeight) {
                return;
            }
            asking = true;
            const height = container.scrollHeight;
            try {
                await list.invokeMethodAsync("NearEndAsync");
            } catch {
                // The circuit is gone: nothing to load into.
                return;
            } finally {
                asking = false;
            }
            // A page came (its rows are normally rendered before the call answers): still near the end (scrolled there while it
            // loaded, a scroll not taken then, or a page shorter than the list), the next one is asked for.
            if (container.scrollHeight > height) {
                requestAnimationFrame(ask);
            }
        };
        container.addEventListener("scroll", ask, { passive: true });
    },
    // Keeps the keyboard's focus on a list's row button (known by its id attribute) as the list draws its rows again: live
    // tail lists new logs above the others, for which the table makes its rows anew (or moves them), and a focused button
    // taken out of the document would leave the focus nowhere. The focus is given back only when nothing holds it, to the
    // same button or to the one of the same log that replaced it; a button the member left (a click anywhere, Tab, the
    // detail opening) or whose log is no longer listed is forgotten.
    keepRowFocus: (id, attribute) => {
        const table = document.getElementById(id);
        if (!table || table.dataset.keepRowFocus) {
            return;
        }
        table.dataset.keepRowFocus = "true";
        let focused = null;
        const nowhere = () => document.activeElement === null || document.activeElement === document.body;
        table.addEventListener("focusin", e => {
            focused = e.target instanceof Element ? e.target.closest(`button[${attribute}]`) : null;
        });
        // Focus moved to another element: forgotten (a window switched away leaves the button the document's focus).
        table.addEventListener("focusout", () => queueMicrotask(() => {
            if (focused && document.activeElement !== focused && !nowhere()) {
                focused = null;
            }
        }));
        const clicked = e => {
            if (!table.isConnected) {
                // The list was left (another page): nothing to keep.
                document.removeEventListener("pointerdown", clicked, true);
            } else if (focused && !(e.target instanceof Node && focused.contains(e.target))) {
                focused = null;
            }
        };
        document.addEventListener("pointerdown", clicked, true);
        new MutationObserver(() => {
            if (!focused || !nowhere()) {
                return;
            }
            const button = focused.isConnected ? focused : table.querySelector(`button[${attribute}="${CSS.escape(focused.getAttribute(attribute) ?? "")}"]`);
            if (button) {
                button.focus({ preventScroll: true });
            }
            focused = button;
        }).observe(table, { childList: true, subtree: true });
    },
};

document.addEventListener("submit", e => {
    if (e.target instanceof HTMLFormElement && e.target.id === "signout-form") {
        window.vigil.recentQueries.clear();
    }
}, true);

document.addEventListener("keydown", e => {
    const target = e.target;
    if (e.key === "/" && !e.altKey && !e.ctrlKey && !e.metaKey && !e.isComposing && !e.repeat && !e.defaultPrevented && focusesQuery(target)) {
        e.preventDefault();
        return;
    }
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

// "/" outside a field goes to the page's search (its query bar), as in most consoles: unless a drawer, a dialog or a list
// (a select's, a menu's) is open over the page, or the key is typed into a field. True when the search took the focus.
function focusesQuery(target) {
    const over = ".mud-dialog, .mud-drawer-temporary, .mud-popover, [role='listbox'], [role='menu']";
    if (target instanceof Element && (target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])") || target.closest(over))
        || document.querySelector(".mud-dialog, .mud-drawer--open.mud-drawer-temporary, .mud-popover-open")) {
        return false;
    }
    const query = document.querySelector(".query-input input");
    if (!query || query.closest("[inert]")) {
        return false;
    }
    query.focus();
    query.select();
    return true;
}
