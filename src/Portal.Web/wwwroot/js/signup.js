// Derives the organisation URL (slug) from its name until the user edits the slug themselves.
(() => {
    const org = document.getElementById('org');
    const slug = document.getElementById('slug');
    if (!org || !slug) {
        return;
    }
    let edited = slug.value.length > 0;
    slug.addEventListener('input', () => { edited = slug.value.length > 0; });
    org.addEventListener('input', () => {
        if (!edited) {
            slug.value = org.value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
                .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
        }
    });
})();
