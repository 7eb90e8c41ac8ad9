// Security page helpers (an ES module imported through Blazor's JS interop): passkey registration and session renewal.

function antiforgeryToken() {
    const input = document.querySelector('#security-antiforgery input[name="__RequestVerificationToken"]');
    return input ? input.value : '';
}

async function post(url, fields) {
    const body = new FormData();
    body.append('__RequestVerificationToken', antiforgeryToken());
    for (const [name, value] of Object.entries(fields)) {
        body.append(name, value);
    }
    return fetch(url, { method: 'POST', body, credentials: 'same-origin' });
}

async function problem(response, fallback) {
    try {
        const json = await response.json();
        return json.detail || fallback;
    } catch {
        return fallback;
    }
}

// Registers a passkey under `name`, confirmed by the member's `password`; returns null on success, else a message to show.
export async function createPasskey(name, password) {
    if (!window.PublicKeyCredential || !PublicKeyCredential.parseCreationOptionsFromJSON) {
        return 'This browser does not support passkeys.';
    }
    const optionsResponse = await post('account/passkey/creation-options', { password });
    if (!optionsResponse.ok) {
        return await problem(optionsResponse, 'The passkey could not be started. Reload the page and try again.');
    }
    let credential;
    try {
        const options = PublicKeyCredential.parseCreationOptionsFromJSON(await optionsResponse.json());
        credential = await navigator.credentials.create({ publicKey: options });
    } catch (error) {
        return error && error.name === 'NotAllowedError'
            ? 'The passkey prompt was closed or timed out.'
            : 'The browser could not create a passkey: ' + (error && error.message ? error.message : error);
    }
    const added = await post('account/passkey/add', { credential: JSON.stringify(credential), name });
    return added.ok ? null : await problem(added, 'The passkey was not added.');
}

// Re-issues this browser's session after the member changed their own credentials, then goes to `next`.
export function renewSession(ticket, next) {
    const form = document.createElement('form');
    form.method = 'post';
    form.action = 'account/session/renew';
    for (const [name, value] of Object.entries({ ticket, next })) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
}
