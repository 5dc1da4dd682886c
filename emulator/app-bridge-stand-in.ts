// The App Bridge stand-in: what Shopify's app-bridge.js does for an embedded app, enough to develop and test the
// app's pages inside the emulated admin frame (admin-frame.ts), with no network access. Served at
// <emulator>/__app-bridge/app-bridge.js; the app loads it from there only when its Admin API goes to the emulator
// (SHOPIFY_ADMIN_API_BASE), and Shopify's own from cdn.shopify.com otherwise.
//
// Modelled on shopify.dev's App Bridge reference: the `shopify` global with `config`, `idToken()` (a session token
// from the admin, valid one minute), `toast.show()`, `loading()`; same-origin `fetch` calls carry
// `Authorization: Bearer <session token>`, and a 401 with `X-Shopify-Retry-Invalid-Session-Request` is retried once
// with a new token; the `ui-nav-menu` element's links become the admin's nav menu, and choosing one dispatches
// `shopify:navigate` on the link; the session-token bounce page (`shopify-reload`) reloads with a fresh `id_token`;
// opened outside the admin, the app is sent to the admin frame. Not modelled: resourcePicker (resolves undefined,
// as when the merchant cancels), modals, the save bar, billing and POS APIs.

export const APP_BRIDGE_STAND_IN = `(function () {
  "use strict";
  var script = document.currentScript;
  var apiKey = (script && script.getAttribute("data-api-key")) || "";
  var emulatorOrigin = new URL(script.src).origin;
  var params = new URLSearchParams(location.search);
  // The admin adds shop and host to the first URL only; client-side navigations drop them. In a frame of another
  // site the browser may deny storage altogether (third-party storage blocking): then the page keeps them itself.
  function remembered(name, value) {
    try {
      if (value) sessionStorage.setItem("emulator:" + name, value);
      return value || sessionStorage.getItem("emulator:" + name);
    } catch (e) {
      return value;
    }
  }
  var shop = remembered("shop", params.get("shop"));
  var host = remembered("host", params.get("host"));
  var embedded = window.top !== window;

  if (!embedded) {
    // Shopify's App Bridge sends an app opened on its own into the admin.
    if (shop) {
      var path = params.get("shopify-reload") ? new URL(params.get("shopify-reload")).pathname : location.pathname;
      location.replace(emulatorOrigin + "/__admin/" + encodeURIComponent(shop) + "?path=" + encodeURIComponent(path));
    }
    return;
  }

  function post(message) { window.parent.postMessage(message, emulatorOrigin); }

  var waiting = {};
  var sequence = 0;
  var cached = null; // { token, exp }
  function requestToken() {
    return new Promise(function (resolve, reject) {
      var id = ++sequence;
      waiting[id] = resolve;
      post({ type: "emulator:id-token", id: id });
      setTimeout(function () {
        if (waiting[id]) { delete waiting[id]; reject(new Error("App Bridge (emulated): the admin did not answer with a session token")); }
      }, 10000);
    });
  }
  function expiryOf(token) {
    try { return JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).exp * 1000; } catch (e) { return 0; }
  }
  function idToken(fresh) {
    if (!fresh && cached && cached.exp - Date.now() > 10000) return Promise.resolve(cached.token);
    return requestToken().then(function (token) { cached = { token: token, exp: expiryOf(token) }; return token; });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== emulatorOrigin || event.source !== window.parent) return;
    var message = event.data || {};
    if (message.type === "emulator:id-token" && waiting[message.id]) {
      var resolve = waiting[message.id];
      delete waiting[message.id];
      resolve(message.token);
    } else if (message.type === "emulator:navigate") {
      var links = document.querySelectorAll("ui-nav-menu a");
      for (var i = 0; i < links.length; i++) {
        if (links[i].getAttribute("href") === message.href) {
          links[i].dispatchEvent(new CustomEvent("shopify:navigate", { bubbles: true }));
          return;
        }
      }
    }
  });

  var toastId = 0;
  window.shopify = {
    config: { apiKey: apiKey, shop: shop, host: host },
    environment: { embedded: true, mobile: false, pos: false },
    origin: emulatorOrigin,
    idToken: function () { return idToken(false); },
    toast: {
      show: function (message, options) {
        options = options || {};
        post({ type: "emulator:toast", message: String(message), isError: !!options.isError, duration: options.duration });
        return "toast-" + ++toastId;
      },
      hide: function () {},
    },
    loading: function () {},
    resourcePicker: function () {
      window.shopify.toast.show("The resource picker is not emulated", { isError: true });
      return Promise.resolve(undefined);
    },
  };

  // Same-origin requests carry the session token, as Shopify's App Bridge adds it.
  var originalFetch = window.fetch.bind(window);
  function withToken(input, init, token) {
    var headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
    headers.set("Authorization", "Bearer " + token);
    if (input instanceof Request) return [new Request(input, Object.assign({}, init, { headers: headers }))];
    return [input, Object.assign({}, init, { headers: headers })];
  }
  window.fetch = function (input, init) {
    var url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== location.origin) return originalFetch(input, init);
    var retry = input instanceof Request ? input.clone() : null;
    return idToken(false).then(function (token) {
      return originalFetch.apply(null, withToken(input, init, token)).then(function (response) {
        if (response.status !== 401 || !response.headers.get("X-Shopify-Retry-Invalid-Session-Request")) return response;
        return idToken(true).then(function (fresh) { return originalFetch.apply(null, withToken(retry || input, init, fresh)); });
      });
    });
  };

  customElements.define("ui-nav-menu", class extends HTMLElement {
    connectedCallback() {
      this.style.display = "none";
      var self = this;
      this.report();
      this.observer = new MutationObserver(function () { self.report(); });
      this.observer.observe(this, { childList: true, subtree: true, characterData: true, attributes: true });
    }
    disconnectedCallback() { if (this.observer) this.observer.disconnect(); }
    report() {
      var items = Array.prototype.map.call(this.querySelectorAll("a"), function (a) {
        return { href: a.getAttribute("href"), label: (a.textContent || "").trim(), rel: a.getAttribute("rel") };
      });
      post({ type: "emulator:nav-menu", items: items });
    }
  });

  // The session-token bounce page: reload the app with a fresh token in the URL.
  var reload = params.get("shopify-reload");
  if (reload) {
    idToken(true).then(function (token) {
      var target = new URL(reload, location.href);
      if (target.origin !== location.origin) return;
      target.searchParams.set("id_token", token);
      location.replace(target.toString());
    });
  }
})();
`;
