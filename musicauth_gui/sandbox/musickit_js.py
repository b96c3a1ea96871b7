"""The sandbox's stand-in for MusicKit JS v3, served as ``/musickit.js`` by ``AppleMusicServer``.

Only what the sign-in page uses, with Apple's names and shapes: ``MusicKit.configure({
developerToken, app: {name, build}})`` resolves to the instance once the emulator accepts the
developer token (it checks it as Apple would: ES256, ``kid``, ``iss``, ``exp``, ``origin``),
``MusicKit.getInstance()`` returns it, and ``instance.authorize()`` resolves to a Music User Token,
or rejects as Apple's does when the user refuses. The script announces itself with the
``musickitloaded`` event, as v3 does. The emulator is another origin than the page (another
loopback port), so its calls are CORS requests, as Apple's are.

In the emulator's ``interactive`` consent mode (the desktop app's demo) the script asks in the
page, with "Allow" and "Don't Allow", where Apple would open its sign-in window.
"""

from __future__ import annotations

__all__ = ["MUSICKIT_JS"]

MUSICKIT_JS = r"""/* MusicKit JS stand-in: the musicauth sandbox's emulator, not Apple's code. */
(function () {
  "use strict";
  var base = new URL(document.currentScript.src).origin;
  var developerToken = null;
  var instance = null;

  function call(path, body) {
    return fetch(base + path, {
      method: "POST",
      headers: { "Authorization": "Bearer " + developerToken, "Content-Type": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          var first = (data.errors || [{}])[0];
          var error = new Error(first.detail || first.title || "HTTP " + response.status);
          error.errorCode = first.code || "UNAUTHORIZED";
          throw error;
        }
        return data;
      });
    });
  }

  function ask() {
    return new Promise(function (resolve) {
      var box = document.createElement("div");
      box.id = "musickit-sandbox-consent";
      box.setAttribute("style", "position:fixed;inset:0;display:grid;place-items:center;background:rgba(0,0,0,.45)");
      var card = document.createElement("div");
      card.setAttribute("style", "background:#fff;color:#1d2330;padding:1.5rem 2rem;border-radius:12px;" +
        "max-width:24rem;font:16px/1.5 system-ui,sans-serif");
      var text = document.createElement("p");
      text.textContent = "Apple Music (sandbox): allow this application to access your music library? " +
        "No real account is involved.";
      card.appendChild(text);
      [["deny", "Don't Allow"], ["approve", "Allow"]].forEach(function (pair) {
        var button = document.createElement("button");
        button.id = "musickit-sandbox-" + pair[0];
        button.textContent = pair[1];
        button.setAttribute("style", "font:inherit;margin:.25rem;padding:.4rem 1rem");
        button.onclick = function () { document.body.removeChild(box); resolve(pair[0]); };
        card.appendChild(button);
      });
      box.appendChild(card);
      document.body.appendChild(box);
    });
  }

  function Instance(config, interactive) {
    this.developerToken = config.developerToken;
    this.musicUserToken = null;
    this.isAuthorized = false;
    this._interactive = interactive;
  }
  Instance.prototype.authorize = function () {
    var self = this;
    var decision = self._interactive ? ask() : Promise.resolve(null);
    return decision
      .then(function (choice) { return call("/musickit/authorize", { decision: choice }); })
      .then(function (data) {
        self.musicUserToken = data.music_user_token;
        self.isAuthorized = true;
        return data.music_user_token;
      });
  };
  Instance.prototype.unauthorize = function () {
    this.musicUserToken = null;
    this.isAuthorized = false;
    return Promise.resolve();
  };

  window.MusicKit = {
    version: "3.0.0-musicauth-sandbox",
    configure: function (config) {
      if (!config || !config.developerToken) {
        return Promise.reject(new Error("MusicKit: a developerToken is required"));
      }
      if (!config.app || !config.app.name) {
        return Promise.reject(new Error("MusicKit: app.name is required"));
      }
      developerToken = config.developerToken;
      return call("/musickit/configure").then(function (data) {
        instance = new Instance(config, !!data.interactive);
        return instance;
      });
    },
    getInstance: function () { return instance; }
  };
  document.dispatchEvent(new Event("musickitloaded"));
})();
"""
