// "Sign in with a passkey" on the sign-in page: the organisation first, then the browser's WebAuthn prompt; the
// assertion is posted back to the page in the passkey form.
(() => {
    const button = document.getElementById('passkey-signin');
    const form = document.getElementById('passkey-form');
    const slug = document.getElementById('slug');
    const error = document.getElementById('passkey-error');
    if (!button || !form || !slug || !error) {
        return;
    }
    const show = message => {
        error.textContent = message;
        error.hidden = false;
    };
    button.addEventListener('click', async () => {
        error.hidden = true;
        const org = slug.value.trim();
        if (!org) {
            show('Enter your organisation first, then choose "Sign in with a passkey".');
            slug.focus();
            return;
        }
        if (!window.PublicKeyCredential || !PublicKeyCredential.parseRequestOptionsFromJSON) {
            show('This browser does not support passkeys. Sign in with your password.');
            return;
        }
        const body = new FormData();
        body.append('org', org);
        body.append('__RequestVerificationToken', form.querySelector('input[name="__RequestVerificationToken"]').value);
        const response = await fetch('account/passkey/request-options', { method: 'POST', body, credentials: 'same-origin' });
        if (!response.ok) {
            let detail = 'Passkey sign-in could not start. Reload the page and try again.';
            try {
                detail = (await response.json()).detail || detail;
            } catch {
                // Not a problem document: keep the general message.
            }
            show(detail);
            return;
        }
        let credential;
        try {
            const options = PublicKeyCredential.parseRequestOptionsFromJSON(await response.json());
            credential = await navigator.credentials.get({ publicKey: options });
        } catch (e) {
            show(e && e.name === 'NotAllowedError' ? 'The passkey prompt was closed or timed out.' : 'The browser could not use a passkey.');
            return;
        }
        document.getElementById('passkey-org').value = org;
        document.getElementById('passkey-credential').value = JSON.stringify(credential);
        form.submit();
    });
})();
