// The QR login demo page ({issuer}/qr-demo): starts a QR login, shows its code, follows its
// state (a Server-Sent Events stream read with fetch, since EventSource cannot send the poll
// token; polling when the stream is unavailable) and exchanges it once approved.
(() => {
  'use strict';
  const root = document.getElementById('qr-demo');
  const api = root.dataset.api;
  const $ = (id) => document.getElementById(id);
  const FINAL = new Set(['approved', 'denied', 'consumed', 'expired']);
  let login = null;
  let session = null;
  let following = null;

  const status = (text) => { $('qr-status').textContent = text; };

  async function begin(hint) {
    if (following) following.abort();
    $('qr-restart').hidden = true;
    $('qr-done').hidden = true;
    status('Starting…');
    const res = await fetch(api, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json'},
      body: JSON.stringify(hint ? {login_hint: hint} : {}),
    });
    const body = await res.json();
    if (!res.ok) {
      status(body.detail || 'The login could not be started.');
      $('qr-restart').hidden = false;
      return;
    }
    login = body;
    $('qr-image').src = body.qr_png_url;
    $('qr-code').textContent = body.matching_code;
    $('qr-figure').hidden = false;
    $('qr-link').href = body.deep_link;
    $('qr-link-line').hidden = false;
    status(hint ? 'If ' + hint + ' has the app on a phone, it was asked; type the number '
        + body.matching_code + ' there. Or scan the code.' : 'Scan the code with your phone.');
    follow(body);
  }

  async function follow(l) {
    const ctrl = new AbortController();
    following = ctrl;
    try {
      const res = await fetch(api + '/' + encodeURIComponent(l.id) + '/events', {
        headers: {'Accept': 'text/event-stream', 'Authorization': 'Bearer ' + l.poll_token},
        signal: ctrl.signal,
      });
      if (!res.ok || !res.body) throw new Error('no stream');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((line) => line.startsWith('data:'))
              .map((line) => line.slice(5).trim()).join('');
          if (data) await show(l, JSON.parse(data));
        }
      }
    } catch (e) {
      if (!ctrl.signal.aborted && login === l) await poll(l, ctrl);
    }
  }

  async function poll(l, ctrl) {
    while (!ctrl.signal.aborted && login === l) {
      await new Promise((r) => setTimeout(r, (l.poll_interval || 2) * 1000));
      const res = await fetch(api + '/' + encodeURIComponent(l.id), {
        headers: {'Accept': 'application/json', 'Authorization': 'Bearer ' + l.poll_token},
      });
      const body = await res.json();
      if (!res.ok && body.code !== 'slow_down') { status(body.detail); return; }
      if (res.ok) {
        await show(l, body);
        if (FINAL.has(body.state)) return;
      }
    }
  }

  async function show(l, view) {
    if (login !== l) return;
    switch (view.state) {
      case 'pending': break;
      case 'scanned':
        status('Check your phone: approve only if it shows ' + l.matching_code + '.');
        break;
      case 'approved': await exchange(l); break;
      case 'denied':
        status('The sign-in was denied on the phone.');
        $('qr-figure').hidden = true;
        $('qr-restart').hidden = false;
        break;
      default:
        status('The code expired. Start again for a new one.');
        $('qr-figure').hidden = true;
        $('qr-restart').hidden = false;
    }
  }

  async function exchange(l) {
    status('Approved on the phone; signing in…');
    const res = await fetch(api + '/' + encodeURIComponent(l.id) + '/exchange', {
      method: 'POST',
      headers: {'Accept': 'application/json', 'Authorization': 'Bearer ' + l.poll_token},
    });
    const body = await res.json();
    if (!res.ok) { status(body.detail); $('qr-restart').hidden = false; return; }
    session = body;
    $('qr-figure').hidden = true;
    $('qr-link-line').hidden = true;
    $('qr-user').textContent = body.user.email;
    $('qr-until').textContent = new Date(Date.now() + body.expires_in * 1000).toLocaleTimeString();
    $('qr-done').hidden = false;
    status('Signed in.');
  }

  $('qr-restart').addEventListener('click', () => begin(null));
  $('qr-push').addEventListener('submit', (e) => {
    e.preventDefault();
    begin($('qr-hint').value.trim() || null);
  });
  $('qr-signout').addEventListener('click', async () => {
    if (session) {
      await fetch(api.replace(/\/qr-logins$/, '/auth/logout'), {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({refresh_token: session.refresh_token}),
      });
      session = null;
    }
    begin(null);
  });
  begin(null);
})();
