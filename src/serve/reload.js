// paralelo serve: reloads the page after each build, shows why a build failed.
// Added by `paralelo serve` to the pages it serves; never part of the built site.
"use strict";
(function () {
  var served = new URL(document.currentScript.src).searchParams.get("build");
  var events = new EventSource("/__paralelo/events");
  var overlay = null;

  events.addEventListener("build", function (event) {
    // A page from an earlier build (or from before the server restarted) is stale.
    if (event.data !== served) {
      window.location.reload();
    } else {
      hide();
    }
  });
  events.addEventListener("build-failed", function (event) {
    show(event.data);
  });

  function show(message) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "paralelo-build-error";
      overlay.setAttribute("role", "alert");
      overlay.lang = "en";
      // Property by property: the page's policy forbids style attributes, not the CSSOM.
      Object.assign(overlay.style, {
        position: "fixed", left: "0", right: "0", bottom: "0", zIndex: "2147483647",
        maxHeight: "60vh", overflow: "auto", margin: "0", padding: "1em",
        background: "#fff0f0", color: "#600", borderTop: "3px solid #c00",
        font: "14px/1.4 ui-monospace, monospace"
      });
      var title = document.createElement("strong");
      title.textContent = "The build failed; this page is from the last good build.";
      var text = document.createElement("pre");
      Object.assign(text.style, { whiteSpace: "pre-wrap", margin: "0.5em 0 0" });
      overlay.append(title, text);
      (document.body || document.documentElement).append(overlay);
    }
    overlay.querySelector("pre").textContent = message;
  }

  function hide() {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
  }
})();
